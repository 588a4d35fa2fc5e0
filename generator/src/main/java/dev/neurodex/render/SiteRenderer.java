package dev.neurodex.render;

import dev.neurodex.store.Manifest;
import dev.neurodex.store.NeuronRecord;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Renders the site's pages from records through the Pebble templates in {@code templates/}, one method per
 * page kind. Autoescaping stays on: corpus text reaches a page only as escaped text.
 */
public final class SiteRenderer {
    private static final List<String> ASSETS = List.of("neurodex.css", "neurodex.js");
    private final PebbleEngine engine;
    private final PebbleTemplate neuron;
    private final PebbleTemplate layer;
    private final PebbleTemplate model;
    private final PebbleTemplate site;
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
        this.version = version;
    }

    /** {@code <model>/<layer>/<neuron>.html} */
    public void neuron(Path file, NeuronRecord record, SiteShape shape) {
        render(neuron, file, NeuronPage.of(record, shape), "../../");
    }

    /** {@code <model>/<layer>/index.html} */
    public void layer(Path file, LayerPage page) {
        render(layer, file, page, "../../");
    }

    /** {@code <model>/index.html} */
    public void model(Path file, ModelPage page) {
        render(model, file, page, "../");
    }

    /** {@code index.html}, the assets and the site's README. */
    public void site(Path root, SitePage page) {
        render(site, root.resolve("index.html"), page, "");
        try {
            Files.createDirectories(root.resolve("assets"));
            for (String asset : ASSETS) {
                copy("templates/assets/" + asset, root.resolve("assets").resolve(asset));
            }
            copy("templates/site-README.md", root.resolve("README.md"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the assets of " + root, e);
        }
    }

    /** The site index row of a model, from its manifest. */
    public static SitePage.ModelRow modelRow(Manifest m) {
        return new SitePage.ModelRow(m.model().name(), m.model().name() + "/index.html", m.model().architecture(),
                Format.count((long) m.layers() * m.neuronsPerLayer()), Format.count(m.corpus().tokens()), m.buildTime());
    }

    private void render(PebbleTemplate template, Path file, Object page, String root) {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            template.evaluate(out, Map.of("page", page, "root", root, "version", version));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static void copy(String resource, Path to) throws IOException {
        try (InputStream in = SiteRenderer.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IOException("resource " + resource + " is missing from the build");
            }
            Files.copy(in, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
