/* event_json.h — one line of a JSON-lines event file (`switchyard simulate`, docs/simulate.md)
 * read into an engagement event or a profile update, with errors that name file and line.
 * Not the wire codec (schemas/codec.h) and not a file reader: the caller splits lines. */
#ifndef SY_EVENT_JSON_H
#define SY_EVENT_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "records.h"
#include "sy_error.h"

/* Bytes of one line: an event or profile update bigger than a wire frame could never be
 * produced to Kafka, so a test file has no use for one. */
#define EVENT_JSON_LINE_BYTES_MAX SY_FRAME_BYTES_MAX

/* Nesting of one line: an event is two levels deep (props, profile.set); a little more
 * gives a clear error ("must be a string") instead of a parser's depth error. */
#define EVENT_JSON_DEPTH_MAX 8

typedef enum event_json_kind {
    EVENT_JSON_SKIP,    /* a blank line or a `#` comment */
    EVENT_JSON_EVENT,   /* an engagement event */
    EVENT_JSON_PROFILE, /* a profile update: {"profile": {...}} */
} event_json_kind_t;

/* What one line holds. The records and every string in them are borrowed from the parser:
 * valid until the next event_json_parse or event_json_close on it. */
typedef struct event_json_line {
    event_json_kind_t kind;
    const sy_event_t *event;             /* EVENT, else NULL */
    const sy_profile_update_t *profile;  /* PROFILE, else NULL */
} event_json_line_t;

typedef struct event_json event_json_t;

/* Open a parser for the lines of one file; source names it in messages ("events.jsonl")
 * and is borrowed: it must outlive the parser. *out is set only on success.
 * Errors: SY_ERR_NOMEM. */
sy_err_t event_json_open(event_json_t **out, const char *source, char *errbuf,
                         size_t errbuf_size);

/* event_json_close(NULL) is a no-op. */
void event_json_close(event_json_t *parser);

/* Parse line number line_no (from 1) of len bytes (text is borrowed for the call; a
 * trailing newline is allowed). An event without "event_id" gets "line-<line_no>".
 * On error errbuf reads "SOURCE:LINE: problem" and *out is untouched.
 * Errors: SY_ERR_INVALID_RECORD (not JSON, unknown field or event type, missing or
 * malformed field), SY_ERR_LIMIT (a line, id, props, set or unset over its maximum). */
sy_err_t event_json_parse(event_json_t *parser, const char *text, size_t len, long line_no,
                          event_json_line_t *out, char *errbuf, size_t errbuf_size);

#endif
