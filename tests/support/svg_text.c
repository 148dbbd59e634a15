/* svg_text.c — the text lines of a Graphviz SVG's node and edge groups, for the tests
 * (svg_text.h). */
#include "svg_text.h"

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

/* text with the XML entities Graphviz writes turned back into characters. */
static void xml_unescape(const char *text, size_t len, char *out, size_t size) {
    static const char *const entities[][2] = {{"&#45;", "-"}, {"&lt;", "<"}, {"&gt;", ">"},
                                              {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < size;) {
        size_t k = 0, n_entities = sizeof entities / sizeof entities[0];
        while (k < n_entities && strncmp(text + i, entities[k][0], strlen(entities[k][0])))
            k++;
        if (k < n_entities) {
            out[o++] = entities[k][1][0];
            i += strlen(entities[k][0]);
        } else {
            out[o++] = text[i++];
        }
    }
    out[o] = '\0';
}

/* The text lines of the group at *from whose title is title ("a->b" for an edge), joined
 * by '|', into out; *from moves past it. False when there is no further such group. */
bool svg_text_group(const char **from, const char *title, char *out, size_t size) {
    out[0] = '\0';
    for (const char *t = *from; (t = strstr(t, "<title>")) != NULL; t += 7) {
        const char *end = strstr(t, "</title>"), *group_end = strstr(t, "</g>");
        char name[512];
        xml_unescape(t + 7, (size_t)(end - t - 7), name, sizeof name);
        if (strcmp(name, title) != 0)
            continue;
        size_t used = 0;
        for (const char *x = t; (x = strstr(x, "<text")) && x < group_end && used < size;) {
            const char *open_end = strchr(x, '>'), *close = strstr(open_end, "</text>");
            char line[512];
            xml_unescape(open_end + 1, (size_t)(close - open_end - 1), line, sizeof line);
            int n = snprintf(out + used, size - used, "%s%s", used ? "|" : "", line);
            used += n > 0 ? (size_t)n : 0;
            x = close;
        }
        *from = group_end;
        return true;
    }
    return false;
}

/* The lines of node name; asserts it is drawn. */
void svg_text_node(const char *svg, const char *name, char *out, size_t size) {
    cr_assert(svg_text_group(&svg, name, out, size), "no node %s in the map", name);
}

/* The lines of the edge from -> to whose first line is first (NULL: one without a name);
 * asserts there is one. */
void svg_text_edge(const char *svg, const char *from, const char *to, const char *first,
                   char *out, size_t size) {
    char title[512];
    snprintf(title, sizeof title, "%s->%s", from, to);
    for (const char *at = svg; svg_text_group(&at, title, out, size);) {
        size_t n = first ? strlen(first) : 0;
        if (first ? strncmp(out, first, n) == 0 && (out[n] == '|' || out[n] == '\0')
                  : strncmp(out, "took", 4) == 0 || out[0] == '\0')
            return;
    }
    cr_assert(false, "no edge %s -> %s labelled %s in the map", from, to, first ? first : "-");
}

