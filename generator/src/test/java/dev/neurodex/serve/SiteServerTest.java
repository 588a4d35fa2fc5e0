package dev.neurodex.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.neurodex.cli.Main;
import dev.neurodex.model.OfflineEngine;
import dev.neurodex.model.TinyCheckpoints;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server under load and under attack: it answers every request with JSON or a file, and keeps answering. */
class SiteServerTest {
    @TempDir
    static Path dir;
    static NDManager manager;
    static ServedModels models;
    static SiteServer server;
    static HttpClient http = HttpClient.newHttpClient();
    static String base;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception {
        Path model = TinyCheckpoints.gpt2Directory(dir.resolve("tiny"));
        Path corpus = Files.writeString(dir.resolve("c.txt"), "The whale surfaced and dove again. ".repeat(20));
        Path site = dir.resolve("site");
        assertEquals(0, Main.execute("build", "--model", model.toString(), "--corpus", corpus.toString(), "--out",
                site.toString(), "--quiet"));
        Files.writeString(dir.resolve("secret.txt"), "outside the site");
        Files.createSymbolicLink(site.resolve("tiny/link.txt"), dir.resolve("secret.txt"));
        manager = OfflineEngine.newManager(2);
        models = new ServedModels(site, List.of(model.toString()), manager, 0, 1);
        server = SiteServer.start(site, "127.0.0.1", 0, models);
        base = "http://127.0.0.1:" + server.port();
    }

    @AfterAll
    static void stop() {
        server.close();
        models.close();
        manager.close();
    }

    private static HttpResponse<String> post(String body, String type) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/activations")).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String request(String text, int layer, int neuron) throws Exception {
        return JSON.writeValueAsString(java.util.Map.of("model", "tiny", "layer", layer, "neuron", neuron, "text", text));
    }

    @Test
    void aTextRunsThroughTheModelAsTheBuildRanIt() throws Exception {
        HttpResponse<String> r = post(request("The whale surfaced", 1, 3), "application/json");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode j = JSON.readTree(r.body());
        // The values are neuron 1/3's at each token, as the model computes them outside the server.
        int[] ids = JSON.convertValue(j.get("ids"), int[].class);
        try (var loaded = dev.neurodex.model.ModelCatalog.open(dir.resolve("tiny").toString(), manager)) {
            var acts = loaded.model().run(List.of(ids));
            for (int pos = 0; pos < ids.length; pos++) {
                assertEquals(acts.get(1).value(0, pos, 3), j.get("values").get(pos).floatValue(), 1e-5);
            }
            // Each token's strongest neurons hold their own activations there, strongest (relative to max) first.
            JsonNode first = j.get("top").get(0).get(0);
            assertEquals(acts.get(first.get(0).asInt()).value(0, 0, first.get(1).asInt()), first.get(2).floatValue(), 1e-5);
            assertTrue(first.get(3).asDouble() >= j.get("top").get(0).get(9).get(3).asDouble());
        }
        assertEquals(j.get("tokens").size(), j.get("values").size());
        assertEquals(j.get("tokens").size(), j.get("top").size());
        assertEquals(10, j.get("top").get(0).size());
        assertEquals("the whale surfaced", String.join("", JSON.convertValue(j.get("tokens"), List.class)).toLowerCase()
                .replaceAll("\\s+", " ").strip());
        assertTrue(get("/api/status").body().contains("\"tiny\""));
        assertEquals(200, get("/tiny/1/3.html").statusCode());
        assertEquals(200, get("/").statusCode());
    }

    @Test
    void malformedAndHostileRequestsGetAClearStatusAndTheServerKeepsAnswering() throws Exception {
        assertEquals(413, post("{\"text\": \"" + "x".repeat(200_000) + "\"}", "application/json").statusCode());
        assertEquals(413, post(request("y".repeat(6000), 0, 0), "application/json").statusCode());
        assertEquals(400, post("{not json", "application/json").statusCode());
        assertEquals(400, post("{\"model\": \"tiny\"}", "application/json").statusCode());
        assertEquals(415, post(request("a", 0, 0), "text/plain").statusCode());
        assertEquals(404, post(request("a", 0, 9999), "application/json").statusCode());
        assertEquals(404, post(request("a", 7, 0), "application/json").statusCode());
        assertEquals(404, post(request("a", 0, 0).replace("\"tiny\"", "\"../tiny\""), "application/json").statusCode());
        assertEquals(405, get("/api/activations").statusCode());
        assertEquals(404, get("/tiny/link.txt").statusCode(), "a link out of the site is not followed");
        assertEquals(404, get("/tiny/../../secret.txt").statusCode());
        assertEquals(404, get("/%2e%2e/secret.txt").statusCode());
        // A raw request line, as no client library would send it.
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            OutputStream out = socket.getOutputStream();
            out.write("GET /../../secret.txt HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(!response.contains("outside the site") && response.startsWith("HTTP/1.1 4"), response);
        }
        List<CompletableFuture<HttpResponse<String>>> many = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String body = i % 3 == 0 ? "{broken" : request("request number " + i + " about the whale", i % 2, i % 64);
            many.add(http.sendAsync(HttpRequest.newBuilder(URI.create(base + "/api/activations"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (int i = 0; i < many.size(); i++) {
            int status = many.get(i).get().statusCode();
            assertEquals(i % 3 == 0 ? 400 : 200, status, "request " + i);
        }
        assertEquals(200, post(request("still answering", 0, 1), "application/json").statusCode());
    }
}
