/* test_proc_path.c - the path components of a process record
 * (proc_join_path, user/enrich/proc_info.c) and attribution by the cgroup
 * path captured at send time (k8s_meta_attr_path, user/enrich/k8s_meta.c)
 * on an empty host root with no cgroup index. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "enrich/host_root.h"
#include "enrich/k8s_meta.h"
#include "enrich/proc_info.h"

#define ID1 "c830ee7121da37bde4021a90d51728d05bf2e71ac5a31b6461a39b7cf77cffb1"

static void join(const char *b, unsigned len, size_t outlen, const char *want)
{
	char out[256];

	proc_join_path(b, len, out, outlen);
	CHECK_STR(out, want);
}

static void test_join(void)
{
	static const char docker[] = ID1 "\0docker";
	static const char unterminated[] = {'a', 'b', 'c'};

	join("", 0, 256, "/");				       /* the root cgroup: no names */
	join(docker, sizeof(docker), 256, "/docker/" ID1);     /* leaf first */
	join("x\0\0y", 4, 256, "/x");			       /* an empty name ends the list */
	join(unterminated, sizeof(unterminated), 256, "/abc"); /* bounded by len */
	join(docker, 3, 256, "/c83");			       /* len cuts the leaf */
	join(docker, sizeof(docker), 9, "/docker/");	       /* the buffer cuts it */
	join(docker, sizeof(docker), 1, "");
}

static void test_attr_path(void)
{
	struct k8s_attr a;

	memset(&a, 0, sizeof(a));
	CHECK_INT(k8s_meta_attr_path(7, "/docker/" ID1, 0, &a), 1);
	CHECK_INT(a.is_container, 1);
	CHECK_STR(a.ci.id, ID1);
	CHECK_STR(a.ci.runtime, "docker");
	CHECK_STR(a.cgroup_path, "/docker/" ID1);
	/* again: the kept entry, the same answer */
	memset(&a, 0, sizeof(a));
	CHECK_INT(k8s_meta_attr_path(7, "/docker/" ID1, 0, &a), 1);
	CHECK_STR(a.ci.id, ID1);
	/* a v2 path that names no container decides nothing while no index
	 * says v2 is all there is: a v1 hierarchy may hold the container */
	CHECK_INT(k8s_meta_attr_path(8, "/user.slice/session-1.scope", 0, &a), 0);
	/* a v1 path is the v1 hierarchy's own word */
	memset(&a, 0, sizeof(a));
	CHECK_INT(k8s_meta_attr_path(1, "/user.slice/session-1.scope", 1, &a), 1);
	CHECK_INT(a.is_container, 0);
	memset(&a, 0, sizeof(a));
	CHECK_INT(k8s_meta_attr_path(1, "/system.slice/docker-" ID1 ".scope", 1, &a), 1);
	CHECK_INT(a.is_container, 1);
	CHECK_STR(a.ci.id, ID1);
	CHECK_STR(a.ci.driver, "systemd");
}

int main(void)
{
	char dir[] = "/tmp/dnsvis-pp.XXXXXX";

	test_join();
	if (!mkdtemp(dir) || host_root_set(dir) != 0) {
		CHECK(0);
	} else {
		test_attr_path();
		rmdir(dir);
	}
	return check_report("proc_path");
}
