/* journey_map_label.c — what the map's nodes and edges share of Graphviz: labels in its
 * escString syntax (a backslash starts an escape, "\n" ends a line), built in a fixed
 * buffer and cut, never overflowed, when too long; attributes; finding a node by name.
 * Not the choice of what a label says (journey_map_graph.c, journey_map_edges.c). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "journey_map_int.h"

void journey_map_label_add(journey_map_label_t *l, const char *fmt, ...) {
    size_t room = sizeof l->text - l->len;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(l->text + l->len, room, fmt, ap);
    va_end(ap);
    if (n > 0)
        l->len += (size_t)n < room ? (size_t)n : room - 1;
}

void journey_map_label_text(journey_map_label_t *l, const char *text, size_t max_chars) {
    size_t n = strlen(text);
    bool cut = max_chars && n > max_chars;
    if (cut) /* back to the start of a UTF-8 character */
        for (n = max_chars; n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80; n--)
            ;
    for (size_t i = 0; i < n && l->len + 3 < sizeof l->text; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '\\')
            l->text[l->len++] = '\\';
        l->text[l->len++] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    l->text[l->len] = '\0';
    if (cut)
        journey_map_label_add(l, "...");
}

void journey_map_label_line(journey_map_label_t *l) {
    journey_map_label_add(l, "\\n");
}

void journey_map_set(void *object, const char *name, const char *value) {
    /* Graphviz's API takes char * but copies both strings into its own dictionary. */
    agsafeset(object, (char *)name, (char *)value, "");
}

Agnode_t *journey_map_node(journey_map_build_t *b, const char *name) {
    char key[SY_ID_BYTES_MAX + 16];
    snprintf(key, sizeof key, "%s", name);
    return agnode(b->g, key, 0);
}
