package dev.neurodex.render;

import java.util.List;

/**
 * The site index: the models in this site.
 *
 * @param searched what the search page looks in: each model, and each SAE section as "model/sae"
 */
public record SitePage(List<ModelRow> models, List<String> searched) {

    public SitePage(List<ModelRow> models) {
        this(models, models.stream().map(ModelRow::name).toList());
    }

    public record ModelRow(String name, String href, String architecture, int layers, int neuronsPerLayer,
                           String neurons, String tokens, String built) {}
}
