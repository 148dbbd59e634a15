/* codec.c — the codec object and the wire frame: open/close, the 5-byte Confluent header,
 * and the shared read and write steps every record kind goes through. The per-record
 * mapping is in codec_decode.c and codec_encode.c; body validation in codec_guard.c. */
#include <assert.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "codec_wire.h"

/* First size of the encode buffer; it doubles up to SY_FRAME_BYTES_MAX as records need. */
#define CODEC_OUT_BYTES_INITIAL 4096
_Static_assert(CODEC_OUT_BYTES_INITIAL >= CODEC_FRAME_HEADER_BYTES &&
                   CODEC_OUT_BYTES_INITIAL <= SY_FRAME_BYTES_MAX,
               "the first encode buffer holds a header and is within the frame limit");
/* codec_write puts the schema id in the header's last byte. */
_Static_assert(SY_SCHEMA_ID_MAX <= 0xff, "schema ids fit one header byte");

sy_err_t codec_open(codec_t **out, char *errbuf, size_t errbuf_size) {
    sy_err_t err = SY_ERR_NOMEM;
    codec_t *codec = calloc(1, sizeof *codec);
    if (codec == NULL) {
        sy_errf(errbuf, errbuf_size, "codec: out of memory");
        return err;
    }
    for (int id = SY_SCHEMA_ID_MIN; id <= SY_SCHEMA_ID_MAX; id++) {
        err = codec_schema_load(&codec->schemas[id], (sy_schema_id_t)id, errbuf,
                                errbuf_size);
        if (err != SY_OK)
            goto fail;
    }
    codec->event_fused = codec_event_fusable(codec->schemas[SY_SCHEMA_ENGAGEMENT_EVENT].guard);
    codec->profile_fused =
        codec_profile_fusable(codec->schemas[SY_SCHEMA_PROFILE_UPDATE].guard);
    err = SY_ERR_NOMEM;
    codec->out = malloc(CODEC_OUT_BYTES_INITIAL);
    codec->out_size = CODEC_OUT_BYTES_INITIAL;
    codec->reader = avro_reader_memory("", 0);
    if (codec->out == NULL || codec->reader == NULL) {
        sy_errf(errbuf, errbuf_size, "codec: out of memory");
        goto fail;
    }
    assert(codec->out_size >= CODEC_FRAME_HEADER_BYTES);
    *out = codec;
    return SY_OK;
fail:
    codec_close(codec);
    return err;
}

void codec_close(codec_t *codec) {
    if (codec == NULL)
        return;
    assert(codec->out != NULL || codec->out_size <= CODEC_OUT_BYTES_INITIAL);
    for (int id = SY_SCHEMA_ID_MIN; id <= SY_SCHEMA_ID_MAX; id++)
        codec_schema_unload(&codec->schemas[id]);
    if (codec->reader != NULL)
        avro_reader_free(codec->reader);
    free(codec->out);
    free(codec->json_scratch);
    free(codec->json_out);
    free(codec);
}

sy_err_t codec_frame_schema(const void *buf, size_t len, sy_schema_id_t *id, char *errbuf,
                            size_t errbuf_size) {
    const uint8_t *p = buf;
    uint32_t raw;
    if (len < CODEC_FRAME_HEADER_BYTES)
        return codec_fail(SY_ERR_TRUNCATED, errbuf, errbuf_size,
                          "truncated frame: %zu bytes, the header alone needs %d", len,
                          CODEC_FRAME_HEADER_BYTES);
    if (p[0] != 0)
        return codec_fail(SY_ERR_BAD_MAGIC, errbuf, errbuf_size,
                          "bad magic byte 0x%02x at byte 0 (expected 0x00)", p[0]);
    raw = (uint32_t)p[1] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 8 | p[4];
    if (raw < SY_SCHEMA_ID_MIN || raw > SY_SCHEMA_ID_MAX)
        return codec_fail(SY_ERR_UNKNOWN_SCHEMA, errbuf, errbuf_size,
                          "unknown schema id %" PRIu32 " (known: %d to %d)", raw,
                          SY_SCHEMA_ID_MIN, SY_SCHEMA_ID_MAX);
    *id = (sy_schema_id_t)raw;
    assert(*id >= SY_SCHEMA_ID_MIN && *id <= SY_SCHEMA_ID_MAX);
    return SY_OK;
}

static sy_err_t codec_frame_check(codec_t *codec, const void *buf, size_t len,
                                  sy_schema_id_t want, sy_schema_id_t *id, char *errbuf,
                                  size_t errbuf_size) {
    assert(want == 0 || (want >= SY_SCHEMA_ID_MIN && want <= SY_SCHEMA_ID_MAX));
    sy_err_t err = codec_frame_schema(buf, len, id, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    if (want != 0 && *id != want)
        return codec_fail(SY_ERR_WRONG_SCHEMA, errbuf, errbuf_size,
                          "wrong schema: frame holds %s (id %d), expected %s (id %d)",
                          codec->schemas[*id].name, (int)*id, codec->schemas[want].name,
                          (int)want);
    if (len > SY_FRAME_BYTES_MAX)
        return codec_fail(SY_ERR_LIMIT, errbuf, errbuf_size,
                          "frame of %zu bytes exceeds SY_FRAME_BYTES_MAX (%d)", len,
                          SY_FRAME_BYTES_MAX);
    return SY_OK;
}

sy_err_t codec_read_frame(codec_t *codec, const void *buf, size_t len, sy_schema_id_t want,
                          const uint8_t **body, size_t *body_len, char *errbuf,
                          size_t errbuf_size) {
    const uint8_t *p = buf;
    sy_schema_id_t got;
    assert(want >= SY_SCHEMA_ID_MIN && want <= SY_SCHEMA_ID_MAX);
    /* The usual frame (magic 0, id want, within the limit) passes every check at once; any
     * other goes through codec_frame_check for its error. */
    bool usual = len >= CODEC_FRAME_HEADER_BYTES && len <= SY_FRAME_BYTES_MAX &&
                 (p[0] | p[1] | p[2] | p[3]) == 0 && p[4] == (uint8_t)want;
    sy_err_t err = usual ? SY_OK
                         : codec_frame_check(codec, buf, len, want, &got, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    *body = (const uint8_t *)buf + CODEC_FRAME_HEADER_BYTES;
    *body_len = len - CODEC_FRAME_HEADER_BYTES;
    return SY_OK;
}

sy_err_t codec_read(codec_t *codec, const void *buf, size_t len, sy_schema_id_t want,
                    sy_schema_id_t *id, const uint8_t **body, size_t *body_len,
                    char *errbuf, size_t errbuf_size) {
    size_t map_entries; /* the hand-written readers find repeated keys themselves */
    sy_schema_id_t got;
    sy_err_t err = codec_frame_check(codec, buf, len, want, &got, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    err = codec_guard_check(codec->schemas[got].guard,
                            (const uint8_t *)buf + CODEC_FRAME_HEADER_BYTES,
                            len - CODEC_FRAME_HEADER_BYTES, CODEC_FRAME_HEADER_BYTES,
                            &map_entries, errbuf, errbuf_size);
    if (err != SY_OK)
        return err;
    assert(len >= CODEC_FRAME_HEADER_BYTES && len <= SY_FRAME_BYTES_MAX);
    *id = got;
    *body = (const uint8_t *)buf + CODEC_FRAME_HEADER_BYTES;
    *body_len = len - CODEC_FRAME_HEADER_BYTES;
    return SY_OK;
}

sy_err_t codec_scratch_reserve(char **buf, size_t *size, size_t need, char *errbuf,
                               size_t errbuf_size) {
    char *grown;
    assert(*buf != NULL || *size == 0);
    if (need < *size)
        return SY_OK;
    grown = realloc(*buf, need + 1);
    if (grown == NULL)
        return codec_fail(SY_ERR_NOMEM, errbuf, errbuf_size,
                          "decode buffer of %zu bytes: out of memory", need + 1);
    *buf = grown;
    *size = need + 1;
    return SY_OK;
}

/* Room past SY_FRAME_BYTES_MAX for one varint, reserved before its length is known; a
 * frame longer than SY_FRAME_BYTES_MAX is still refused, by codec_write. */
#define CODEC_OUT_SLACK_BYTES CODEC_WIRE_VARINT_BYTES_MAX

/* Make codec->out hold at least need bytes, within SY_FRAME_BYTES_MAX (and the slack). */
static sy_err_t codec_out_reserve(codec_t *codec, size_t need, char *errbuf,
                                  size_t errbuf_size) {
    size_t size = codec->out_size, limit = SY_FRAME_BYTES_MAX + CODEC_OUT_SLACK_BYTES;
    char *out;
    if (need <= size)
        return SY_OK;
    if (need > limit)
        return codec_fail(SY_ERR_LIMIT, errbuf, errbuf_size,
                          "frame of %zu bytes would exceed SY_FRAME_BYTES_MAX (%d)", need,
                          SY_FRAME_BYTES_MAX);
    while (size < need)
        size *= 2;
    size = size < limit ? size : limit;
    out = realloc(codec->out, size);
    if (out == NULL)
        return codec_fail(SY_ERR_NOMEM, errbuf, errbuf_size,
                          "encode buffer of %zu bytes: out of memory", size);
    codec->out = out;
    codec->out_size = size;
    assert(need <= codec->out_size && codec->out_size <= limit);
    return SY_OK;
}

bool codec_wr_grow(codec_wr_t *w, size_t need) {
    assert(w->pos <= w->codec->out_size && w->room <= w->codec->out_size);
    if (w->err != SY_OK)
        return false;
    w->err = codec_out_reserve(w->codec, w->pos + need, w->errbuf, w->errbuf_size);
    w->out = (uint8_t *)w->codec->out;
    w->room = w->err == SY_OK ? w->codec->out_size : 0;
    return w->err == SY_OK;
}

uint8_t *codec_wr_run_grow(codec_wr_t *w, size_t max) {
    assert(w->pos <= w->codec->out_size && w->room <= w->codec->out_size);
    if (w->err != SY_OK || w->pos + max > SY_FRAME_BYTES_MAX + CODEC_OUT_SLACK_BYTES)
        return NULL;
    if (codec_out_reserve(w->codec, w->pos + max, NULL, 0) != SY_OK)
        return NULL; /* out of memory: the fields one by one will say where */
    w->out = (uint8_t *)w->codec->out;
    w->room = w->codec->out_size;
    return w->out + w->pos;
}

void codec_wr_string_slow(codec_wr_t *w, const char *s, size_t len) {
    assert(s && len <= INT64_MAX);
    if (!codec_utf8_valid((const uint8_t *)s, len)) {
        if (w->err == SY_OK) { /* the first failure's reason is the one reported */
            w->not_utf8 = true;
            w->err = SY_ERR_INVALID_RECORD;
        }
        w->room = 0;
        return;
    }
    codec_wr_bytes(w, s, len);
}

sy_err_t codec_write(codec_t *codec, sy_schema_id_t id, size_t body_len, const void **frame,
                     size_t *frame_len, char *errbuf, size_t errbuf_size) {
    if (CODEC_FRAME_HEADER_BYTES + body_len > SY_FRAME_BYTES_MAX)
        return codec_fail(SY_ERR_LIMIT, errbuf, errbuf_size,
                          "frame of %zu bytes would exceed SY_FRAME_BYTES_MAX (%d)",
                          CODEC_FRAME_HEADER_BYTES + body_len, SY_FRAME_BYTES_MAX);
    assert(id >= SY_SCHEMA_ID_MIN && id <= SY_SCHEMA_ID_MAX);
    assert(CODEC_FRAME_HEADER_BYTES + body_len <= codec->out_size);
    char *o = codec->out; /* once: a store through char may alias codec->out */
    o[0] = 0;
    o[1] = 0;
    o[2] = 0;
    o[3] = 0;
    o[4] = (char)id;
    *frame = codec->out;
    *frame_len = CODEC_FRAME_HEADER_BYTES + body_len;
    return SY_OK;
}

void codec_frame_relabel(codec_t *codec, uint32_t schema_id) {
    uint8_t *p = (uint8_t *)codec->out;
    assert(codec->out_size >= CODEC_FRAME_HEADER_BYTES && p[0] == 0);
    p[1] = (uint8_t)(schema_id >> 24);
    p[2] = (uint8_t)(schema_id >> 16);
    p[3] = (uint8_t)(schema_id >> 8);
    p[4] = (uint8_t)schema_id;
}
