package dev.neurodex.render;

import java.util.List;

/** The site index: the models in this site. */
public record SitePage(List<ModelRow> models) {

    public record ModelRow(String name, String href, String architecture, int layers, int neuronsPerLayer,
                           String neurons, String tokens, String built) {}
}
