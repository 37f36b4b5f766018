/* bad (prog-type): a socket filter. */
#include "common.h"

SEC("socket")
int keep(struct __sk_buff *skb)
{
	return skb->len;
}
