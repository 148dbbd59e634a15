/* journey_map_render.c — the journey map through Graphviz: a context with the dot layout
 * and the core (SVG) renderer built in, so no plugin configuration is read and text is
 * measured by Graphviz's own font tables (the same bytes on every machine, whatever fonts
 * are installed); Graphviz's messages caught into errbuf. Not the graph's content
 * (journey_map_graph.c, journey_map_edges.c). */
#include <stdlib.h>
#include <string.h>

#include <gvc.h>

#include "journey_map_int.h"

extern gvplugin_library_t gvplugin_dot_layout_LTX_library;
extern gvplugin_library_t gvplugin_core_LTX_library;

static const lt_symlist_t render_builtins[] = {
    {"gvplugin_dot_layout_LTX_library", &gvplugin_dot_layout_LTX_library},
    {"gvplugin_core_LTX_library", &gvplugin_core_LTX_library},
    {NULL, NULL},
};

/* Graphviz's last message while a render runs (it reports through one global hook, so
 * renders are one at a time: journey_map.h says so). */
static char render_message[512];

static int render_message_keep(char *message) {
    size_t n = strlen(message);
    while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' '))
        n--;
    snprintf(render_message, sizeof render_message, "%.*s", (int)n, message);
    return 0;
}

static sy_err_t render_fail(const journey_t *journey, const char *step, char *errbuf,
                            size_t errbuf_size) {
    snprintf(errbuf, errbuf_size, "journey %s: Graphviz could not %s its map%s%s",
             journey->id, step, render_message[0] ? ": " : "", render_message);
    return SY_ERR_INVALID_ARG;
}

/* Lay g out and render it; *svg as journey_map_render_svg's. */
static sy_err_t render_graph(GVC_t *gvc, Agraph_t *g, const journey_t *journey, char **svg,
                             size_t *svg_len, char *errbuf, size_t errbuf_size) {
    if (gvLayout(gvc, g, "dot") != 0)
        return render_fail(journey, "lay out", errbuf, errbuf_size);
    char *data = NULL;
    unsigned int len = 0;
    sy_err_t err = SY_OK;
    if (gvRenderData(gvc, g, "svg", &data, &len) != 0 || !data) {
        err = render_fail(journey, "render", errbuf, errbuf_size);
    } else if (!(*svg = malloc((size_t)len + 1))) {
        snprintf(errbuf, errbuf_size, "out of memory");
        err = SY_ERR_NOMEM;
    } else {
        memcpy(*svg, data, len);
        (*svg)[len] = '\0';
        *svg_len = len;
    }
    gvFreeRenderData(data);
    gvFreeLayout(gvc, g);
    return err;
}

sy_err_t journey_map_render_svg(const journey_t *journey, const journey_map_counts_t *counts,
                                char **svg, size_t *svg_len, char *errbuf,
                                size_t errbuf_size) {
    char name[SY_ID_BYTES_MAX + 1];
    snprintf(name, sizeof name, "%s", journey->id);
    render_message[0] = '\0';
    agusererrf previous = agseterrf(render_message_keep);
    GVC_t *gvc = gvContextPlugins(render_builtins, 0);
    Agraph_t *g = gvc ? agopen(name, Agdirected, NULL) : NULL;
    sy_err_t err = SY_OK;
    if (!g) {
        snprintf(errbuf, errbuf_size, "out of memory starting Graphviz");
        err = SY_ERR_NOMEM;
    }
    if (err == SY_OK)
        err = journey_map_graph_build(g, journey, counts, errbuf, errbuf_size);
    char *out = NULL;
    size_t out_len = 0;
    if (err == SY_OK)
        err = render_graph(gvc, g, journey, &out, &out_len, errbuf, errbuf_size);
    if (g)
        agclose(g);
    if (gvc)
        gvFreeContext(gvc);
    agseterrf(previous);
    if (err == SY_OK) {
        *svg = out;
        *svg_len = out_len;
    }
    return err;
}
