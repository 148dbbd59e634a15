/* send_template.h — a message's text from the template directory: <template_id>.subject
 * (one line), <template_id>.txt and <template_id>.html, each with {{name}} and
 * {{name | "default"}} holes filled from the action's params (and its tracking_* fields,
 * when no param has the name). Not the journeys' template
 * engine (expr/): that one reads contact. and event. variables; here only params exist. */
#ifndef SY_SEND_TEMPLATE_H
#define SY_SEND_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "records.h"
#include "sy_error.h"

/* Bytes of one template file, and of one rendered part: far above any email or SMS. */
#define SEND_TEMPLATE_BYTES_MAX (256 * 1024)

/* A rendered message: each part malloc'd and owned, NULL when its file does not exist. */
typedef struct send_message {
    char *subject; /* first line of .subject, rendered */
    char *text;    /* .txt, rendered */
    char *html;    /* .html, rendered (HTML-escaped values) */
} send_message_t;

/* Render the template action->template_id of dir with action->params (borrowed for the
 * call) into *out. A template id that is not a plain file name ([A-Za-z0-9._-], not
 * starting with a dot), a missing .txt, a hole naming a param the action lacks (and no
 * default), or an unterminated hole: SY_ERR_INVALID_RECORD, errbuf says which file and
 * why: the action can never be sent. SY_ERR_IO: a file exists but cannot be read. */
sy_err_t send_template_render(const char *dir, const sy_action_t *action,
                              send_message_t *out, char *errbuf, size_t errbuf_size);

/* Render text with params; html escapes &<>"' in the values. Returns malloc'd text, or
 * NULL with errbuf set (SY_ERR_INVALID_RECORD reasons above) or on no memory. */
char *send_template_fill(const char *text, const sy_action_t *action, bool html,
                         char *errbuf, size_t errbuf_size);

/* Free the parts; *msg becomes empty. */
void send_message_clear(send_message_t *msg);

#endif
