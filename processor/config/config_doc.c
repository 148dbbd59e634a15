/* config_doc.c — print the option table for people: an aligned plain-text table for
 * `switchyard run --help` and a Markdown table for docs/config.md. Both read the table in
 * config_options.c, so the docs cannot drift from what the parser accepts. */
#include <stdio.h>
#include <string.h>

#include "config_int.h"

/* Width the help text is wrapped to: readable in a terminal, and under 100 columns. */
#define CONFIG_HELP_COLUMNS 99

/* Indent of an option's doc lines under its row. */
#define CONFIG_HELP_DOC_INDENT 6

/* Room for one cell (default or allowed values). */
#define CONFIG_CELL_BYTES_MAX 128

static const char config_kafka_doc[] =
    "Any librdkafka client property, passed to both the consumer and the producer, e.g. "
    "kafka.bootstrap.servers = 127.0.0.1:9092. kafka.bootstrap.servers is required.";

static const char *const config_type_names[] = {
    [CONFIG_TYPE_STRING] = "string",
    [CONFIG_TYPE_PATH] = "path",
    [CONFIG_TYPE_INT] = "int",
    [CONFIG_TYPE_ENUM] = "enum",
};

/* The default as shown to people: the value, or a word saying why there is none. */
static void config_default_text(const config_option_t *opt, int markdown, char *buf,
                                 size_t buf_size) {
    if (!opt->default_value)
        snprintf(buf, buf_size, markdown ? "required" : "(required)");
    else if (opt->default_shown)
        snprintf(buf, buf_size, markdown ? "%s" : "(%s)", opt->default_shown);
    else if (markdown)
        snprintf(buf, buf_size, "`%s`", opt->default_value);
    else
        snprintf(buf, buf_size, "%s", opt->default_value);
}

/* Print text word by word from column indent, wrapping before CONFIG_HELP_COLUMNS. */
static void config_print_wrapped(FILE *out, const char *text, int indent) {
    int column = indent;

    fprintf(out, "%*s", indent, "");
    while (*text) {
        int len = (int)strcspn(text, " ");
        if (column > indent && column + 1 + len > CONFIG_HELP_COLUMNS) {
            fprintf(out, "\n%*s", indent, "");
            column = indent;
        }
        if (column > indent) {
            fputc(' ', out);
            column++;
        }
        fprintf(out, "%.*s", len, text);
        column += len;
        text += len;
        text += strspn(text, " ");
    }
    fputc('\n', out);
}

/* Print one aligned row of the help table, without trailing blanks. */
static void config_print_row(FILE *out, int name_w, const char *name, int type_w,
                             const char *type, int default_w, const char *def,
                             const char *range) {
    char row[CONFIG_HELP_COLUMNS * 2];
    size_t len;

    snprintf(row, sizeof row, "  %-*s  %-*s  %-*s  %s", name_w, name, type_w, type, default_w,
             def, range);
    len = strlen(row);
    while (len > 0 && row[len - 1] == ' ')
        row[--len] = '\0';
    fprintf(out, "%s\n", row);
}

void config_print_help(FILE *out) {
    int name_w = (int)strlen("kafka.<property>"), type_w = 0, default_w = 0;
    char def[CONFIG_CELL_BYTES_MAX], range[CONFIG_CELL_BYTES_MAX];

    for (size_t i = 0; i < config_options_count; i++) {
        const config_option_t *opt = &config_options[i];
        int n;
        config_default_text(opt, 0, def, sizeof def);
        if ((n = (int)strlen(opt->name)) > name_w)
            name_w = n;
        if ((n = (int)strlen(config_type_names[opt->type])) > type_w)
            type_w = n;
        if ((n = (int)strlen(def)) > default_w)
            default_w = n;
    }
    fprintf(out, "Config file options, one `name = value` per line:\n\n");
    config_print_row(out, name_w, "NAME", type_w, "TYPE", default_w, "DEFAULT", "ALLOWED");
    for (size_t i = 0; i < config_options_count; i++) {
        const config_option_t *opt = &config_options[i];
        config_default_text(opt, 0, def, sizeof def);
        config_option_range(opt, range, sizeof range);
        config_print_row(out, name_w, opt->name, type_w, config_type_names[opt->type],
                         default_w, def, range);
        config_print_wrapped(out, opt->doc, CONFIG_HELP_DOC_INDENT);
    }
    config_print_row(out, name_w, "kafka.<property>", type_w, "string", default_w, "", "");
    config_print_wrapped(out, config_kafka_doc, CONFIG_HELP_DOC_INDENT);
}

/* Print text for a Markdown table cell: escape what Markdown or HTML would eat. */
static void config_print_md_text(FILE *out, const char *text) {
    for (; *text; text++) {
        if (strchr("|<>*\\", *text))
            fputc('\\', out);
        fputc(*text, out);
    }
}

void config_print_markdown(FILE *out) {
    char def[CONFIG_CELL_BYTES_MAX], range[CONFIG_CELL_BYTES_MAX];

    fprintf(out, "| Option | Type | Default | Allowed | Description |\n");
    fprintf(out, "|---|---|---|---|---|\n");
    for (size_t i = 0; i < config_options_count; i++) {
        const config_option_t *opt = &config_options[i];
        config_default_text(opt, 1, def, sizeof def);
        config_option_range(opt, range, sizeof range);
        fprintf(out, "| `%s` | %s | %s | ", opt->name, config_type_names[opt->type], def);
        config_print_md_text(out, range);
        fprintf(out, " | ");
        config_print_md_text(out, opt->doc);
        fprintf(out, " |\n");
    }
    fprintf(out, "| `kafka.<property>` | string | | | ");
    config_print_md_text(out, config_kafka_doc);
    fprintf(out, " |\n");
}
