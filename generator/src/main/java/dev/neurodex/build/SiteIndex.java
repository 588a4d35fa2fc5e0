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
        try (Stream<Path> dirs = Files.list(site)) {
            for (Path manifest : dirs.map(d -> d.resolve("manifest.json")).filter(Files::isRegularFile).sorted().toList()) {
                models.add(SiteRenderer.modelRow(Json.MAPPER.readValue(manifest.toFile(), Manifest.class)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the models of " + site, e);
        }
        renderer.site(SiteFiles.replacing(site), new SitePage(models));
    }
}
