/* output_json.c — JSON-lines output: each record as one line, the codec's JSON writer's
 * text (codec_json_decision, ...: checked by the record's encoder, then codec_to_json's
 * text of its frame, written straight from the struct), so the lines show exactly what the
 * Kafka output would carry (docs/records.md). Lines are gathered in a buffer and written
 * together (to a terminal, each as it comes); the file has them all once output_json_close
 * returns; or, for a memory output, in a buffer the caller reads. Nothing here reads a
 * clock. */
#include "output_json.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"

/* Why a sink call failed: the sink has no errbuf, so its reason waits here. */
#define OUTPUT_JSON_ERROR_BYTES 512

/* Lines wait here and go to the file together: one fwrite for a few hundred lines rather
 * than an fwrite and an fputc for each. A line longer than this goes on its own. */
#define OUTPUT_JSON_BUFFER_BYTES (64 * 1024)

/* A memory output's first buffer; it doubles as lines come (a replay block's lines). */
#define OUTPUT_JSON_MEMORY_BYTES (256 * 1024)

struct output_json {
    FILE *file;    /* owned, unless it is stdout; NULL for a memory output */
    char *memory;  /* owned: a memory output's lines, memory_used of memory_cap bytes */
    size_t memory_used;
    size_t memory_cap;
    codec_t *codec; /* owned */
    size_t used;   /* bytes of lines waiting in buffer */
    bool terminal; /* file is one: a line goes out as it comes, as stdio's own would */
    char error[OUTPUT_JSON_ERROR_BYTES];
    char buffer[OUTPUT_JSON_BUFFER_BYTES];
};

sy_err_t output_json_open(output_json_t **out, const char *path, char *errbuf,
                          size_t errbuf_size) {
    output_json_t *o = calloc(1, sizeof *o);
    if (!o) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return SY_ERR_NOMEM;
    }
    sy_err_t err = codec_open(&o->codec, errbuf, errbuf_size);
    if (err != SY_OK) {
        free(o);
        return err;
    }
    o->file = !path || strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
    if (!o->file) {
        snprintf(errbuf, errbuf_size, "%s: %s", path, strerror(errno));
        codec_close(o->codec);
        free(o);
        return SY_ERR_IO;
    }
    o->terminal = isatty(fileno(o->file));
    *out = o;
    return SY_OK;
}

sy_err_t output_json_open_memory(output_json_t **out, char *errbuf, size_t errbuf_size) {
    output_json_t *o = calloc(1, sizeof *o);
    sy_err_t err = o ? codec_open(&o->codec, errbuf, errbuf_size) : SY_ERR_NOMEM;
    if (o && err == SY_OK && !(o->memory = malloc(OUTPUT_JSON_MEMORY_BYTES)))
        err = SY_ERR_NOMEM;
    if (err != SY_OK) {
        if (err == SY_ERR_NOMEM)
            snprintf(errbuf, errbuf_size, "out of memory");
        output_json_close(o, NULL, 0);
        return err;
    }
    o->memory_cap = OUTPUT_JSON_MEMORY_BYTES;
    *out = o;
    return SY_OK;
}

const char *output_json_memory(const output_json_t *o, size_t *len) {
    assert(o && !o->file);
    *len = o->memory_used;
    return o->memory;
}

void output_json_memory_clear(output_json_t *o) {
    assert(o && !o->file);
    o->memory_used = 0;
}

/* Append len bytes to a memory output, and a newline when newline is set, growing it by
 * doubling. */
static sy_err_t json_memory_add(output_json_t *o, const char *text, size_t len,
                                bool newline) {
    assert(o->memory_used <= o->memory_cap);
    size_t need = len + newline;
    if (need > o->memory_cap - o->memory_used) {
        size_t cap = o->memory_cap;
        while (need > cap - o->memory_used)
            cap *= 2;
        char *grown = realloc(o->memory, cap);
        if (!grown) {
            snprintf(o->error, sizeof o->error, "out of memory");
            return SY_ERR_NOMEM;
        }
        o->memory = grown;
        o->memory_cap = cap;
    }
    memcpy(o->memory + o->memory_used, text, len);
    if (newline)
        o->memory[o->memory_used + len] = '\n';
    o->memory_used += need;
    return SY_OK;
}

/* Hand the lines waiting in the buffer to the file. */
static void json_flush(output_json_t *o) {
    assert(o->used <= sizeof o->buffer);
    if (o->used > 0)
        fwrite(o->buffer, 1, o->used, o->file);
    o->used = 0;
}

/* Add the text just rendered (err is the writer's result) as one line. */
static sy_err_t json_line(output_json_t *o, sy_err_t err, const char *json, size_t len) {
    assert(o && (json || err != SY_OK));
    if (err != SY_OK)
        return err;
    if (!o->file) {
        return json_memory_add(o, json, len, true);
    }
    if (len + 1 > sizeof o->buffer - o->used) {
        json_flush(o);
        if (len + 1 > sizeof o->buffer) { /* longer than the buffer: on its own */
            fwrite(json, 1, len, o->file);
            fputc('\n', o->file);
            return SY_OK;
        }
    }
    memcpy(o->buffer + o->used, json, len);
    o->buffer[o->used + len] = '\n';
    o->used += len + 1;
    if (o->terminal)
        json_flush(o);
    return SY_OK;
}

static sy_err_t json_decision(void *ctx, const sy_decision_t *decision) {
    output_json_t *o = ctx;
    const char *json = NULL;
    size_t len = 0;
    sy_err_t err = codec_json_decision(o->codec, decision, &json, &len, o->error,
                                       sizeof o->error);
    return json_line(o, err, json, len);
}

static sy_err_t json_action(void *ctx, const sy_action_t *action) {
    output_json_t *o = ctx;
    const char *json = NULL;
    size_t len = 0;
    sy_err_t err = codec_json_action(o->codec, action, &json, &len, o->error,
                                     sizeof o->error);
    return json_line(o, err, json, len);
}

static sy_err_t json_contact_update(void *ctx, const sy_contact_update_t *update) {
    output_json_t *o = ctx;
    const char *json = NULL;
    size_t len = 0;
    sy_err_t err = codec_json_contact_update(o->codec, update, &json, &len, o->error,
                                             sizeof o->error);
    return json_line(o, err, json, len);
}

static sy_err_t json_conversion(void *ctx, const sy_conversion_t *conversion) {
    output_json_t *o = ctx;
    const char *json = NULL;
    size_t len = 0;
    sy_err_t err = codec_json_conversion(o->codec, conversion, &json, &len, o->error,
                                         sizeof o->error);
    return json_line(o, err, json, len);
}

engine_sink_t output_json_sink(output_json_t *o) {
    return (engine_sink_t){json_decision, json_action, json_contact_update, o,
                           json_conversion};
}

sy_err_t output_json_dead_letter(output_json_t *o, const sy_dead_letter_t *dead_letter,
                                 char *errbuf, size_t errbuf_size) {
    const char *json = NULL;
    size_t len = 0;
    o->error[0] = '\0';
    sy_err_t err = codec_json_dead_letter(o->codec, dead_letter, &json, &len, o->error,
                                          sizeof o->error);
    err = json_line(o, err, json, len);
    if (err != SY_OK)
        snprintf(errbuf, errbuf_size, "%s", o->error);
    return err;
}

sy_err_t output_json_lines(output_json_t *o, const char *lines, size_t len, char *errbuf,
                           size_t errbuf_size) {
    assert(o && (lines || len == 0));
    sy_err_t err = SY_OK;
    if (!o->file) {
        err = json_memory_add(o, lines, len, false);
    } else if (len > sizeof o->buffer - o->used) {
        json_flush(o);
        if (len > sizeof o->buffer)
            fwrite(lines, 1, len, o->file);
        else
            memcpy(o->buffer, lines, len);
        o->used = len > sizeof o->buffer ? 0 : len;
    } else {
        memcpy(o->buffer + o->used, lines, len);
        o->used += len;
    }
    if (o->file && o->terminal)
        json_flush(o);
    if (err != SY_OK)
        snprintf(errbuf, errbuf_size, "%s", o->error);
    return err;
}

const char *output_json_error(const output_json_t *o) {
    return o->error;
}

sy_err_t output_json_close(output_json_t *o, char *errbuf, size_t errbuf_size) {
    if (!o)
        return SY_OK;
    if (!o->file) {
        codec_close(o->codec);
        free(o->memory);
        free(o);
        return SY_OK;
    }
    json_flush(o);
    bool failed = fflush(o->file) != 0 || ferror(o->file);
    if (o->file != stdout)
        failed |= fclose(o->file) != 0;
    int saved = errno;
    codec_close(o->codec);
    free(o);
    if (!failed)
        return SY_OK;
    snprintf(errbuf, errbuf_size, "cannot write the output: %s", strerror(saved));
    return SY_ERR_IO;
}
