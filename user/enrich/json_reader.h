/* json_reader.h - just enough JSON to read the container runtimes' state
 * files: find a member of an object, decode a string (escapes, \u with
 * surrogate pairs, as UTF-8), skip any other value.  The bytes are
 * untrusted (pods control their labels and annotations), so every function
 * takes the end of the buffer and reads only inside [p, end): the buffer
 * needs no NUL terminator, nesting is followed by a counter bounded by
 * JSON_DEPTH_MAX (no recursion), and malformed input gives NULL or -1,
 * never a read outside the buffer.  It is lenient where that is harmless
 * (a string missing its closing quote decodes up to the end; mismatched
 * brackets only count depth) and checks nothing it does not need. */
#ifndef DNSVIS_JSON_READER_H
#define DNSVIS_JSON_READER_H

#include <stddef.h>

/* Deeper nesting than this inside one skipped value makes it malformed. */
#define JSON_DEPTH_MAX 512

/* p past any JSON white space (p itself when there is none; NULL for NULL). */
const char *json_skip_ws(const char *p, const char *end);

/* Past the value at p (white space first), or NULL when it is malformed or
 * runs past end.  A scalar ends at the first delimiter. */
const char *json_skip_value(const char *p, const char *end);

/* Decode the string value at v (white space first) into out, NUL-terminated
 * and cut at a whole character when it does not fit in len bytes.  0, or -1
 * when v is NULL or not a string, len is 0 or an escape anywhere in the
 * string is malformed (out is then "" or a part before it).  The verdict
 * does not depend on len. */
int json_string(const char *v, const char *end, char *out, size_t len);

/* The next member of an object: *p at its '{' or at the ',' after the
 * previous member.  Decodes the key into key (kl bytes), points *val at the
 * value and advances *p past it; 1, or 0 at the object's end or on
 * malformed input. */
int json_next_member(const char **p, const char *end, char *key, size_t kl, const char **val);

/* The value of key in the object at obj (white space first), or NULL.  Keys
 * are compared after decoding, cut at 255 bytes. */
const char *json_get(const char *obj, const char *end, const char *key);

#endif
