/* codec_guard_compile.c — a schema compiled once into the plain tree of codec_guard_t
 * nodes the guard (codec_guard.c) and the fused readers walk: avro-c's schema accessors
 * cost a hash lookup per field. Not a walk over any body. */
#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "codec_int.h"

/* Nodes deeper than the guard's nesting limit keep no children (codec_guard.c). */
#define GUARD_DEPTH_MAX CODEC_GUARD_DEPTH_MAX

void codec_guard_free(codec_guard_t *node) {
    /* no assert: NULL and a half-compiled node are both freed */
    if (!node)
        return;
    size_t n = node->type == AVRO_FIXED || node->type == AVRO_ENUM ? 0 : node->count;
    for (size_t i = 0; node->children && i < n; i++)
        codec_guard_free(node->children[i]);
    free(node->children);
    free(node->fields);
    free(node);
}

/* The children of node: union branches, record fields, the items of an array or map,
 * a link's target (count and type already set). 0 on out of memory. */
static int guard_compile_children(codec_guard_t *node, avro_schema_t schema, int depth);

/* node for schema at walk depth depth (the root is 1, as in guard_datum). */
static codec_guard_t *guard_compile(avro_schema_t schema, int depth) {
    assert(schema && depth >= 1);
    codec_guard_t *node = calloc(1, sizeof *node);
    if (!node)
        return NULL;
    node->type = avro_typeof(schema);
    switch (node->type) {
    case AVRO_FIXED: node->count = (size_t)avro_schema_fixed_size(schema); break;
    case AVRO_ENUM:
        node->count = (size_t)avro_schema_enum_number_of_symbols(schema);
        node->name = avro_schema_name(schema);
        break;
    case AVRO_UNION: node->count = avro_schema_union_size(schema); break;
    case AVRO_RECORD: node->count = avro_schema_record_size(schema); break;
    case AVRO_ARRAY: case AVRO_MAP: case AVRO_LINK: node->count = 1; break;
    default: break;
    }
    if (depth <= GUARD_DEPTH_MAX && !guard_compile_children(node, schema, depth)) {
        codec_guard_free(node);
        return NULL;
    }
    return node;
}

static int guard_compile_children(codec_guard_t *node, avro_schema_t schema, int depth) {
    if (node->type == AVRO_FIXED || node->type == AVRO_ENUM || node->count == 0)
        return 1;
    assert(!node->children && depth <= GUARD_DEPTH_MAX);
    node->children = calloc(node->count, sizeof *node->children);
    if (!node->children)
        return 0;
    if (node->type == AVRO_RECORD && !(node->fields = calloc(node->count, sizeof(char *))))
        return 0;
    for (size_t i = 0; i < node->count; i++) {
        avro_schema_t child;
        switch (node->type) {
        case AVRO_UNION: child = avro_schema_union_branch(schema, (int)i); break;
        case AVRO_ARRAY: child = avro_schema_array_items(schema); break;
        case AVRO_MAP: child = avro_schema_map_values(schema); break;
        case AVRO_LINK: child = avro_schema_link_target(schema); break;
        default: /* AVRO_RECORD */
            node->fields[i] = avro_schema_record_field_name(schema, (int)i);
            child = avro_schema_record_field_get_by_index(schema, (int)i);
            break;
        }
        if (!(node->children[i] = guard_compile(child, depth + 1)))
            return 0;
    }
    return 1;
}

sy_err_t codec_guard_compile(avro_schema_t schema, codec_guard_t **out) {
    assert(schema && out);
    codec_guard_t *guard = guard_compile(schema, 1);
    if (!guard)
        return SY_ERR_NOMEM;
    *out = guard;
    return SY_OK;
}
