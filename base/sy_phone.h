/* sy_phone.h — telephone numbers in E.164 ("+12125550100"): the check, the national
 * display form a person reads ("(212) 555-0100") and the tel: URI a phone dials. Display
 * rules exist for a few country codes (a small table, sy_phone.c); any other number is
 * shown in E.164. Not a full numbering-plan library: no validation of area codes. */
#ifndef SY_PHONE_H
#define SY_PHONE_H

#include <stdbool.h>
#include <stddef.h>

/* "+", then 2 to 15 digits, the first not 0: E.164's form; the terminator included. */
#define SY_PHONE_E164_BYTES 17
/* A display form is at most twice as long as the number (a separator per digit). */
#define SY_PHONE_DISPLAY_BYTES (2 * SY_PHONE_E164_BYTES)
/* "tel:" and the number. */
#define SY_PHONE_TEL_BYTES (4 + SY_PHONE_E164_BYTES)

/* True when text is an E.164 number: "+" and 2 to 15 digits, the first not 0. */
bool sy_phone_e164_valid(const char *text);

/* The national display form of e164 (valid) into out (SY_PHONE_DISPLAY_BYTES): NANP
 * (+1) "(AAA) BBB-CCCC", France (+33) "0X XX XX XX XX", the United Kingdom (+44)
 * "0XXXX XXXXXX"; any other number as written. */
void sy_phone_display(const char *e164, char out[SY_PHONE_DISPLAY_BYTES]);

/* "tel:" and e164 (valid) into out (SY_PHONE_TEL_BYTES). */
void sy_phone_tel_uri(const char *e164, char out[SY_PHONE_TEL_BYTES]);

/* The national significant number of e164 (valid): the digits after its country code,
 * for the country codes of sy_phone_display; NULL for others. Borrowed from e164. An
 * area code is a prefix of it. */
const char *sy_phone_national(const char *e164);

#endif
