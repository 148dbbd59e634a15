/* journey_parts.c — a loaded journey's prepared parts (codec_part.h): its id with its
 * version, each node's id and template, the strings its decisions and actions carry in
 * every record, encoded once at load so that the outputs copy them. Not their use: the
 * engine hands them over in its records (engine_walk.c, engine_render.c). */
#include "journey_int.h"

#include <assert.h>

#include "codec_part.h"

/* The template a node's actions carry, or NULL for a node without actions. A best-channel
 * send's pick may carry another (templates[]): that action gives no template part. */
static const char *node_template(const journey_node_t *node) {
    assert(node);
    if (node->kind == JOURNEY_NODE_SEND)
        return node->u.send.template_id;
    return node->kind == JOURNEY_NODE_TASK ? node->u.task.queue : NULL;
}

sy_err_t journey_parts_make(journey_t *journey) {
    assert(journey && journey->id && (journey->nodes || journey->nodes_count == 0));
    sy_err_t err = codec_part_make_journey(&journey->part, journey->id, journey->version);
    for (size_t i = 0; err == SY_OK && i < journey->nodes_count; i++) {
        journey_node_t *node = &journey->nodes[i];
        const char *template_id = node_template(node);
        err = codec_part_make(&node->id_part, node->id);
        if (err == SY_OK && template_id != NULL)
            err = codec_part_make(&node->template_part, template_id);
    }
    return err;
}
