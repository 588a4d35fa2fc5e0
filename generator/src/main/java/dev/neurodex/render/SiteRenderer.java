package dev.neurodex.render;

import dev.neurodex.store.Json;
import dev.neurodex.store.Manifest;
import dev.neurodex.store.NeuronRecord;
import dev.neurodex.store.SiteFiles;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * Renders the site's pages from records through the Pebble templates in {@code templates/}, one method per
 * page kind. Autoescaping stays on: corpus text reaches a page only as escaped text.
 */
public final class SiteRenderer {
    private static final List<String> ASSETS = List.of("neurodex.css", "neurodex.js", "search.js");
    private final PebbleEngine engine;
    private final PebbleTemplate neuron;
    private final PebbleTemplate layer;
    private final PebbleTemplate model;
    private final PebbleTemplate site;
    private final PebbleTemplate search;
    private final PebbleTemplate probe;
    private final String version;

    public SiteRenderer(String version) {
        ClasspathLoader loader = new ClasspathLoader();
        loader.setPrefix("templates");
        loader.setSuffix(".peb");
        this.engine = new PebbleEngine.Builder().loader(loader).autoEscaping(true).strictVariables(true).build();
        this.neuron = engine.getTemplate("neuron");
        this.layer = engine.getTemplate("layer");
        this.model = engine.getTemplate("model");
        this.site = engine.getTemplate("site");
        this.search = engine.getTemplate("search");
        this.probe = engine.getTemplate("probe");
        this.version = version;
    }

    /**
     * {@code <layer>/<neuron>.html}; with {@code #embed} it shows only its top examples, for an iframe in a write-up.
     *
     * @param windowKey the window store's key of a top window, by its corpus order
     */
    public void neuron(SiteFiles files, NeuronRecord record, SiteShape shape, LongFunction<String> windowKey) {
        files.write(record.layer() + "/" + record.neuron() + ".html",
                render(neuron, NeuronPage.of(record, shape, windowKey), shape.root(1)));
    }

    /** {@code <layer>/index.html} */
    public void layer(SiteFiles files, LayerPage page, SiteShape shape) {
        files.write(page.layer() + "/index.html", render(layer, page, shape.root(1)));
    }

    /** {@code probes/<name>.html} and the whole ranking beside it, {@code probes/<name>.json}. */
    public void probe(SiteFiles files, ProbePage page, List<List<Object>> ranking, SiteShape shape) {
        files.write(ProbePage.file(page.name()), render(probe, page, shape.root(1)));
        files.write("probes/" + page.json(), Json.bytes(java.util.Map.of("probe", page.name(), "pattern", page.pattern(),
                "columns", List.of("layer", "neuron", "auroc", "f1", "precision", "recall", "threshold", "meanOn",
                        "meanOff"), "neurons", ranking)));
    }

    /** {@code index.html} of the model (or of an SAE section) */
    public void model(SiteFiles files, ModelPage page, SiteShape shape) {
        files.write("index.html", render(model, page, shape.root(0)));
    }

    /** {@code index.html}, {@code search.html}, the assets and the site's README. */
    public void site(SiteFiles files, SitePage page) {
        files.write("index.html", render(site, page, ""));
        files.write("search.html", render(search, page, ""));
        for (String asset : ASSETS) {
            files.write("assets/" + asset, resource("templates/assets/" + asset));
        }
        files.write("README.md", resource("templates/site-README.md"));
        // The models, for "random neuron of the site"; JSON from Jackson, so nothing here is markup.
        List<Map<String, Object>> models = page.models().stream().map(m -> Map.<String, Object>of(
                "name", m.name(), "layers", m.layers(), "neurons", m.neuronsPerLayer())).toList();
        try {
            files.write("assets/models.js", ("window.NEURODEX_MODELS = " + Json.MAPPER.writeValueAsString(models)
                    + ";\nwindow.NEURODEX_SEARCH = " + Json.MAPPER.writeValueAsString(page.searched()) + ";\n")
                    .getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The site index row of a model, from its manifest. */
    public static SitePage.ModelRow modelRow(Manifest m) {
        return new SitePage.ModelRow(m.model().name(), m.model().name() + "/index.html", m.model().architecture(),
                m.layers(), m.neuronsPerLayer(), Format.count((long) m.layers() * m.neuronsPerLayer()),
                Format.count(m.corpus().tokens()), m.buildTime());
    }

    private byte[] render(PebbleTemplate template, Object page, String root) {
        Utf8Output out = new Utf8Output(1 << 16);
        try {
            template.evaluate(out, Map.of("page", page, "root", root, "version", version));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static byte[] resource(String resource) {
        try (InputStream in = SiteRenderer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the build");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
