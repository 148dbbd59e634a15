/* output_json.h — the outputs of an offline run (`simulate`, `replay`) written as JSON
 * lines: each routing decision, action command, contact update, conversion and dead letter
 * is checked by its encoder and written as codec_to_json renders its wire frame, one line
 * each, in the order they come.
 * Not the Kafka output (output_kafka.h) and not the input format (event_json.h). */
#ifndef SY_OUTPUT_JSON_H
#define SY_OUTPUT_JSON_H

#include <stddef.h>

#include "engine.h"
#include "records.h"
#include "sy_error.h"

typedef struct output_json output_json_t;

/* Create (truncate) path, or write to stdout for NULL or "-". *out is set only on
 * success. Errors: SY_ERR_IO (errbuf names the path and the reason), SY_ERR_NOMEM. */
sy_err_t output_json_open(output_json_t **out, const char *path, char *errbuf,
                          size_t errbuf_size);

/* Lines kept in memory instead of a file, for a caller that hands them on in its own order
 * (replay's workers, replay_parallel.c): output_json_memory reads them. *out is set only
 * on success. Errors: SY_ERR_NOMEM. */
sy_err_t output_json_open_memory(output_json_t **out, char *errbuf, size_t errbuf_size);

/* The lines a memory output holds (*len bytes, each line ending in '\n'): borrowed, good
 * until the next line or output_json_memory_clear. */
const char *output_json_memory(const output_json_t *out, size_t *len);

/* Drop the lines a memory output holds, keeping its buffer for the next ones. */
void output_json_memory_clear(output_json_t *out);

/* Add len bytes of whole lines already rendered (another output's output_json_memory),
 * as they are: to a file output, lines in the order they come. Errors: SY_ERR_NOMEM (a
 * memory output that cannot grow). */
sy_err_t output_json_lines(output_json_t *out, const char *lines, size_t len, char *errbuf,
                           size_t errbuf_size);

/* An engine sink writing to out (its ctx is out, borrowed: out must outlive the engine).
 * A sink call fails with the encoder's error; output_json_error says why. */
engine_sink_t output_json_sink(output_json_t *out);

/* Write one dead letter (borrowed for the call). Errors as the encoder's. */
sy_err_t output_json_dead_letter(output_json_t *out, const sy_dead_letter_t *dead_letter,
                                 char *errbuf, size_t errbuf_size);

/* Why the last sink call failed; "" when none did. Borrowed from out. */
const char *output_json_error(const output_json_t *out);

/* Write the lines still waiting, flush and close the file (never stdout), then free out,
 * also on error (a memory output is freed). SY_ERR_IO when some line could not be written.
 * output_json_close(NULL, ...) is a no-op. */
sy_err_t output_json_close(output_json_t *out, char *errbuf, size_t errbuf_size);

#endif
