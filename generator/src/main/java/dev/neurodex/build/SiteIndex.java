package dev.neurodex.build;

import dev.neurodex.render.SitePage;
import dev.neurodex.render.SiteRenderer;
import dev.neurodex.store.Json;
import dev.neurodex.store.Manifest;
import dev.neurodex.store.SiteFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The site-level pages (index, search, assets), rewritten from the manifests of every model in the site. */
final class SiteIndex {
    private SiteIndex() {}

    static void refresh(Path site, SiteRenderer renderer) {
        List<SitePage.ModelRow> models = new ArrayList<>();
        List<String> searched = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(site)) {
            for (Path manifest : dirs.map(d -> d.resolve("manifest.json")).filter(Files::isRegularFile).sorted().toList()) {
                Manifest m = Json.MAPPER.readValue(manifest.toFile(), Manifest.class);
                models.add(SiteRenderer.modelRow(m));
                searched.add(m.model().name());
                (m.saes() == null ? List.<Manifest.Sae>of() : m.saes()).forEach(s -> searched.add(m.model().name() + "/" + s.name()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the models of " + site, e);
        }
        renderer.site(SiteFiles.replacing(site), new SitePage(models, searched));
    }
}
