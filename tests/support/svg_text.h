/* svg_text.h — reading a Graphviz SVG as a person reads it: the text lines of the group
 * (node or edge) with a given title. Test code only; it knows Graphviz's SVG layout
 * (<g><title>NAME</title>...<text>LINE</text>...</g>), not SVG in general. */
#ifndef SVG_TEXT_H
#define SVG_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* The text lines, joined by '|' and unescaped, of the first group at or after *from whose
 * title is title (a node's name, or "FROM->TO" for an edge), into out (size bytes);
 * *from moves past that group. False when there is no further such group. */
bool svg_text_group(const char **from, const char *title, char *out, size_t size);

/* The lines of node name in svg; asserts (Criterion) it is drawn. */
void svg_text_node(const char *svg, const char *name, char *out, size_t size);

/* The lines of the edge from -> to whose first line is first (NULL: an edge without a
 * path name, whose lines are empty or start with "took"); asserts (Criterion) there is
 * one. */
void svg_text_edge(const char *svg, const char *from, const char *to, const char *first,
                   char *out, size_t size);

#endif
