package dev.neurodex.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.neurodex.store.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Serves a built site over HTTP with the JDK's own server, plus {@code POST /api/activations}: a text run through a
 * model of the site, for the "test your text" box of neuron pages. Static files come only from inside the site
 * (no path outside it, no link out of it); requests are bounded in size; handlers run on a fixed pool whose queue,
 * once full, makes the accepting thread run the request itself, which slows new connections instead of failing.
 */
public final class SiteServer implements AutoCloseable {
    /** Largest request body: a text of {@value #MAX_TEXT} characters and the JSON around it. */
    static final int MAX_BODY = 64 * 1024;
    static final int MAX_TEXT = 5000;
    /** Bytes of an oversized body read and dropped before answering 413; a larger one just gets its connection closed. */
    private static final int DRAIN = 16 << 20;
    /** Neurons listed for each token: the strongest of all layers, relative to their max over the corpus. */
    static final int TOP = 10;

    private final HttpServer server;
    private final Path root;
    private final ServedModels models;
    private final ThreadPoolExecutor pool;

    SiteServer(Path site, String host, int port, ServedModels models) throws IOException {
        this.root = site.toRealPath();
        this.models = models;
        try {
            this.server = HttpServer.create(new InetSocketAddress(host, port), 128);
        } catch (IOException e) {
            // "Address already in use" alone does not say which address.
            throw new IOException("cannot listen on " + host + ":" + port + " (" + e.getMessage() + ")", e);
        }
        this.pool = new ThreadPoolExecutor(8, 8, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256),
                new ThreadPoolExecutor.CallerRunsPolicy());
        server.setExecutor(pool);
        server.createContext("/", this::handle);
    }

    public static SiteServer start(Path site, String host, int port, ServedModels models) throws IOException {
        SiteServer s = new SiteServer(site, host, port, models);
        s.server.start();
        return s;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (path.equals("/api/status")) {
                status(exchange);
            } else if (path.equals("/api/activations")) {
                activations(exchange);
            } else {
                file(exchange, path);
            }
        } catch (RuntimeException e) {
            // A bug must not leak a stack trace to the client, nor kill the pool's thread.
            send(exchange, 500, Map.of("error", "internal error: " + e.getClass().getSimpleName()));
        }
    }

    private void status(HttpExchange exchange) throws IOException {
        List<String> slugs = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            dirs.filter(d -> Files.isRegularFile(d.resolve("manifest.json"))).map(d -> d.getFileName().toString())
                    .sorted().forEach(slugs::add);
        }
        send(exchange, 200, Map.of("neurodex", true, "models", slugs));
    }

    private void activations(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            send(exchange, 405, Map.of("error", "POST a JSON object"));
            return;
        }
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            // Browsers cannot send this type across origins without asking first: other sites cannot use the server.
            send(exchange, 415, Map.of("error", "Content-Type must be application/json"));
            return;
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                // Read on (up to a point) so that the client, still sending, gets the answer rather than a reset.
                byte[] sink = new byte[8192];
                for (long left = DRAIN; left > 0; ) {
                    int n = in.read(sink, 0, (int) Math.min(sink.length, left));
                    if (n < 0) {
                        break;
                    }
                    left -= n;
                }
            }
        }
        if (body.length > MAX_BODY) {
            send(exchange, 413, Map.of("error", "request larger than " + MAX_BODY + " bytes"));
            return;
        }
        JsonNode request;
        try {
            request = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            send(exchange, 400, Map.of("error", "not JSON"));
            return;
        }
        if (request == null || !request.path("text").isTextual() || !request.path("model").isTextual()
                || !request.path("layer").canConvertToInt() || !request.path("neuron").canConvertToInt()) {
            send(exchange, 400, Map.of("error", "expected {\"model\": ..., \"layer\": L, \"neuron\": N, \"text\": ...}"));
            return;
        }
        String text = request.get("text").asText();
        if (text.length() > MAX_TEXT) {
            send(exchange, 413, Map.of("error", "text longer than " + MAX_TEXT + " characters"));
            return;
        }
        String slug = request.get("model").asText();
        int layer = request.get("layer").asInt();
        int neuron = request.get("neuron").asInt();
        ServedModels.Target target = models.target(slug);
        if (target == null) {
            send(exchange, 404, Map.of("error", "no model '" + slug + "' in this site"));
            return;
        }
        if (!target.has(layer, neuron)) {
            send(exchange, 404, Map.of("error", "no neuron " + layer + "/" + neuron + " in " + slug));
            return;
        }
        ServedModels.Served served;
        try {
            served = models.get(slug);
        } catch (RuntimeException e) {
            send(exchange, 500, Map.of("error", "cannot load " + slug + ": " + e.getMessage()));
            return;
        }
        if (served == null) {
            send(exchange, 404, Map.of("error", "the server was not given the weights of " + slug
                    + (target.sae() == null ? " (serve --model)" : " (serve --model and --sae)")));
            return;
        }
        try {
            ServedModels.Result r = models.run(served, text, layer, neuron, TOP);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("tokens", r.tokens());
            out.put("ids", r.ids());
            out.put("values", r.values());
            out.put("truncated", r.truncated());
            out.put("top", r.top().stream().map(list -> list.stream().map(t -> List.of((int) t[0], (int) t[1], t[2],
                    Float.isFinite(t[3]) ? t[3] : 0f)).toList()).toList());
            send(exchange, 200, out);
        } catch (ServedModels.Busy e) {
            send(exchange, 503, Map.of("error", e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            send(exchange, 503, Map.of("error", "shutting down"));
        }
    }

    private void file(HttpExchange exchange, String path) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            send(exchange, 405, Map.of("error", "only GET here"));
            return;
        }
        Path file = inside(path);
        if (file == null) {
            send(exchange, 404, Map.of("error", "not found"));
            return;
        }
        byte[] bytes = Files.readAllBytes(file);
        exchange.getResponseHeaders().set("Content-Type", type(file.getFileName().toString()));
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        exchange.sendResponseHeaders(200, method.equals("HEAD") ? -1 : bytes.length);
        if (!method.equals("HEAD")) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The regular file {@code path} names inside the site, following no link out of it; else null. */
    private Path inside(String path) throws IOException {
        if (path.indexOf('\0') >= 0 || path.contains("\\")) {
            return null;
        }
        Path p = root.resolve(path.replaceFirst("^/+", "")).normalize();
        if (!p.startsWith(root)) {
            return null;
        }
        if (Files.isDirectory(p)) {
            p = p.resolve("index.html");
        }
        if (!Files.isRegularFile(p)) {
            return null;
        }
        Path real = p.toRealPath();
        return real.startsWith(root) ? real : null;
    }

    private static String type(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (n.endsWith(".js")) {
            return "text/javascript; charset=utf-8";
        }
        if (n.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        if (n.endsWith(".json")) {
            return "application/json";
        }
        if (n.endsWith(".gz")) {
            return "application/gzip";
        }
        return n.endsWith(".md") ? "text/markdown; charset=utf-8" : "application/octet-stream";
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = Json.bytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
