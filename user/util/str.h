/* str.h - tiny string helpers every stage uses. */
#ifndef DNSVIS_UTIL_STR_H
#define DNSVIS_UTIL_STR_H

/* s, or "" for NULL: optional fields print as empty strings. */
static inline const char *str_or_empty(const char *s)
{
	return s ? s : "";
}

#endif
