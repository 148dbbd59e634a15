/* transcript.h — what each contact went through, as one line of tokens per contact, from
 * output records rendered as JSON (codec_to_json, `switchyard simulate`): decisions as
 * from>to[path] (@time when a timer caused them), action commands as
 * send:channel:template{k=v,...}, contact updates as update:op:name=value. Tests compare
 * transcripts with expectations or with each other. */
#ifndef TRANSCRIPT_H
#define TRANSCRIPT_H

#include <stddef.h>

/* Contacts in one transcript set, and bytes of one contact's line. */
#define TRANSCRIPT_CONTACTS_MAX 64
#define TRANSCRIPT_BYTES 4096

typedef struct transcript {
    char contact[64];
    char text[TRANSCRIPT_BYTES];
} transcript_t;

typedef struct transcripts {
    size_t count;
    transcript_t items[TRANSCRIPT_CONTACTS_MAX];
} transcripts_t;

/* Which records a transcript keeps: all, or only one schema ("RoutingDecision"). */
void transcript_add_json(transcripts_t *t, const char *json, const char *only_schema);

/* The line of contact, or "" when it has none. */
const char *transcript_of(const transcripts_t *t, const char *contact);

/* line's tokens (separated by '|', blanks trimmed) sorted and joined again with " | ",
 * into out: for outputs whose order across topics is not kept (actions of several
 * channels, records of several partitions). */
void transcript_sorted(const char *line, char *out, size_t size);

#endif
