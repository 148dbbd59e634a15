/* journey_map_html.c — an HTML page holding journey maps side by side (the two versions of
 * replay --what-if, a map for a browser): the SVGs inline, each under its caption; and
 * saving a map or a page to a file. Not the maps themselves (journey_map_render.c). */
#include <errno.h>
#include <string.h>

#include "journey_map.h"

/* text with &, < and > (and ") escaped. */
static void html_text(FILE *out, const char *text) {
    for (const char *c = text; *c; c++) {
        switch (*c) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(*c, out);
        }
    }
}

bool journey_map_html_write(FILE *out, const char *title, const journey_map_figure_t *figures,
                            size_t figures_count) {
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>", out);
    html_text(out, title);
    fputs("</title>\n<style>\nbody{font-family:Helvetica,Arial,sans-serif;margin:16px}\n"
          ".maps{display:flex;gap:24px;align-items:flex-start}\n"
          "figure{margin:0;flex:none}figcaption{font-weight:bold;margin-bottom:8px}\n"
          "</style>\n</head>\n<body>\n<h1>", out);
    html_text(out, title);
    fputs("</h1>\n<div class=\"maps\">\n", out);
    for (size_t i = 0; i < figures_count; i++) {
        /* Inline SVG starts at its element: the XML prolog and doctype do not belong. */
        const char *svg = strstr(figures[i].svg, "<svg");
        fputs("<figure>\n", out);
        if (figures[i].caption) {
            fputs("<figcaption>", out);
            html_text(out, figures[i].caption);
            fputs("</figcaption>\n", out);
        }
        fputs(svg ? svg : "", out);
        fputs("</figure>\n", out);
    }
    fputs("</div>\n</body>\n</html>\n", out);
    return !ferror(out);
}

/* Close out (opened on path), reporting a failed write or close. */
static sy_err_t save_close(FILE *out, bool written, const char *path, char *errbuf,
                           size_t errbuf_size) {
    int write_errno = written ? 0 : errno ? errno : EIO;
    if (fclose(out) != 0 && write_errno == 0)
        write_errno = errno ? errno : EIO;
    if (write_errno == 0)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "%s: %s", path, strerror(write_errno));
    return SY_ERR_IO;
}

static FILE *save_open(const char *path, char *errbuf, size_t errbuf_size) {
    FILE *out = fopen(path, "w");
    if (!out)
        snprintf(errbuf, errbuf_size, "%s: %s", path, strerror(errno));
    return out;
}

sy_err_t journey_map_save_text(const char *path, const char *text, size_t len, char *errbuf,
                               size_t errbuf_size) {
    FILE *out = save_open(path, errbuf, errbuf_size);
    if (!out)
        return SY_ERR_IO;
    errno = 0;
    bool written = fwrite(text, 1, len, out) == len && fflush(out) == 0;
    return save_close(out, written, path, errbuf, errbuf_size);
}

sy_err_t journey_map_save_html(const char *path, const char *title,
                               const journey_map_figure_t *figures, size_t figures_count,
                               char *errbuf, size_t errbuf_size) {
    FILE *out = save_open(path, errbuf, errbuf_size);
    if (!out)
        return SY_ERR_IO;
    errno = 0;
    bool written = journey_map_html_write(out, title, figures, figures_count) &&
                   fflush(out) == 0;
    return save_close(out, written, path, errbuf, errbuf_size);
}
