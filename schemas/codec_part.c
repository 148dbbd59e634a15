/* codec_part.c — making prepared parts (codec_part.h): the bytes of a string field, in Avro
 * and in JSON, written once by the encoders' own steps (codec_wire_put_string, the JSON
 * writer's string), so that a part is valid by construction. Using them is the writers'
 * job (codec_encode.c, codec_json_write.c). */
#include "codec_part.h"

#include <assert.h>
#include <stdlib.h>

#include "codec_rules_usual.h"
#include "codec_wire.h"

/* The part of s, with version when journey; see codec_part_make. */
static sy_err_t part_make(sy_part_t **out, const char *s, bool journey, int32_t version) {
    assert(out);
    size_t len = s != NULL ? strlen(s) : 0;
    *out = NULL;
    if (s == NULL || !codec_rules_id_len_ok(s, len) ||
        !codec_utf8_valid((const uint8_t *)s, len))
        return SY_OK; /* the rules would refuse it: leave it to them, field by field */
    sy_part_t *p = malloc(sizeof *p + CODEC_PART_AVRO_BYTES(len) + CODEC_PART_JSON_BYTES(len));
    if (p == NULL)
        return SY_ERR_NOMEM;
    bool not_utf8 = false; /* stays false: s is UTF-8 */
    uint8_t *o = p->avro;
    *o++ = 2; /* branch 1 of ["null", string], zigzag */
    o += codec_wire_put_string(o, s, len, &not_utf8);
    if (journey)
        o += codec_wire_put_long(o, version);
    assert(!not_utf8 && (size_t)(o - p->avro) <= CODEC_PART_AVRO_BYTES(len));
    char *json = (char *)p->avro + CODEC_PART_AVRO_BYTES(len);
    size_t json_len = codec_json_part_text(json, s, len, journey ? &version : NULL);
    assert(json_len <= CODEC_PART_JSON_BYTES(len));
    *p = (sy_part_t){.of = s, .version = journey ? version : 0, .journey = journey,
                     .len = (uint16_t)len, .avro_len = (uint16_t)(o - p->avro),
                     .json_len = (uint16_t)json_len, .json = json};
    *out = p;
    return SY_OK;
}

sy_err_t codec_part_make(sy_part_t **out, const char *s) {
    /* no assert: a one-line call of part_make, which asserts */
    return part_make(out, s, false, 0);
}

sy_err_t codec_part_make_journey(sy_part_t **out, const char *id, int32_t version) {
    /* no assert: a one-line call of part_make, which asserts */
    return part_make(out, id, true, version);
}

void codec_part_free(sy_part_t *part) {
    /* no assert: free(NULL) is the no-op asked for */
    free(part);
}
