/* bad (prog-type): an XDP program. */
#include "common.h"

SEC("xdp")
int pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}
