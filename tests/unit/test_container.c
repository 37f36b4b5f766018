/* test_container.c - cgroup path parser (user/enrich/container.c) over real-world
 * paths of every runtime, driver and cgroup version; the filter verdicts;
 * the JSON reader (user/enrich/json_reader.c) and the metadata lookup of
 * user/enrich/k8s_meta.c and runtime_state.c on a fake host root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "enrich/container.h"
#include "enrich/host_root.h"
#include "enrich/json_reader.h"
#include "enrich/k8s_meta.h"
#include "enrich/runtime_state.h"

#define ID1  "c830ee7121da37bde4021a90d51728d05bf2e71ac5a31b6461a39b7cf77cffb1"
#define ID2  "5f3b0b9e34a8d2c1e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4"
#define ID3  "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b"
#define UID  "0f4c1e9a-1111-2222-3333-444455556666"
#define UIDU "0f4c1e9a_1111_2222_3333_444455556666"

struct row {
	const char *path;
	int is_ctr;
	const char *runtime, *id, *pod_uid, *qos, *driver;
	int guessed;
};

static const struct row rows[] = {
    /* docker, plain */
    {"/system.slice/docker-" ID1 ".scope", 1, "docker", ID1, "", "", "systemd", 0},
    {"/docker/" ID1, 1, "docker", ID1, "", "", "cgroupfs", 0},
    {"/docker/" ID1 "/docker/" ID2, 1, "docker", ID2, "", "", "cgroupfs", 0},
    {"/system.slice/docker.service", 0, "", "", "", "", "", 0},
    /* containerd / kubelet, systemd driver, v2 */
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU
     ".slice/cri-containerd-" ID1 ".scope",
     1, "containerd", ID1, UID, "burstable", "systemd", 0},
    {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UIDU
     ".slice/cri-containerd-" ID1 ".scope",
     1, "containerd", ID1, UID, "besteffort", "systemd", 0},
    {"/kubepods.slice/kubepods-pod" UIDU ".slice/cri-containerd-" ID1 ".scope", 1, "containerd",
     ID1, UID, "guaranteed", "systemd", 0},
    /* the pod cgroup itself: no container */
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice", 0, "", "",
     UID, "burstable", "systemd", 0},
    {"/kubepods.slice/kubepods-burstable.slice", 0, "", "", "", "", "", 0},
    /* containerd, cgroupfs driver (v1 line or v2) */
    {"/kubepods/burstable/pod" UID "/" ID1, 1, "containerd", ID1, UID, "burstable", "cgroupfs", 1},
    {"/kubepods/besteffort/pod" UID "/" ID1, 1, "containerd", ID1, UID, "besteffort", "cgroupfs",
     1},
    {"/kubepods/pod" UID "/" ID1, 1, "containerd", ID1, UID, "guaranteed", "cgroupfs", 1},
    {"/kubepods/burstable/pod" UID, 0, "", "", UID, "burstable", "cgroupfs", 0},
    /* CRI-O */
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice/crio-" ID1
     ".scope",
     1, "cri-o", ID1, UID, "burstable", "systemd", 0},
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice/crio-" ID1
     ".scope/container",
     1, "cri-o", ID1, UID, "burstable", "systemd", 0},
    {"/kubepods/burstable/pod" UID "/crio-" ID1, 1, "cri-o", ID1, UID, "burstable", "cgroupfs", 0},
    {"/kubepods/burstable/pod" UID "/crio-conmon-" ID1, 0, "", "", UID, "burstable", "cgroupfs", 0},
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU
     ".slice/crio-conmon-" ID1 ".scope",
     0, "", "", UID, "burstable", "systemd", 0},
    /* podman */
    {"/machine.slice/libpod-" ID1 ".scope", 1, "podman", ID1, "", "", "systemd", 0},
    {"/machine.slice/libpod-" ID1 ".scope/container", 1, "podman", ID1, "", "", "systemd", 0},
    {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID1 ".scope", 1, "podman",
     ID1, "", "", "systemd", 0},
    {"/libpod_parent/libpod-" ID1, 1, "podman", ID1, "", "", "cgroupfs", 0},
    /* podman pods, cgroupfs: the pod's cgroup and conmon's are no container */
    {"/libpod_parent/" ID2 "/libpod-" ID1, 1, "podman", ID1, "", "", "cgroupfs", 0},
    {"/libpod_parent/" ID2, 0, "", "", "", "", "", 0},
    {"/libpod_parent/" ID2 "/conmon", 0, "", "", "", "", "", 0},
    {"/libpod_parent/conmon", 0, "", "", "", "", "", 0},
    {"/machine.slice/machine-libpod_pod_" ID2 ".slice/libpod-" ID1 ".scope", 1, "podman", ID1, "",
     "", "systemd", 0},
    {"/machine.slice/machine-libpod_pod_" ID2 ".slice", 0, "", "", "", "", "", 0},
    /* containerd's own shape (ctr): not a string matter (runtime_state_probe) */
    {"/default/web1", 0, "", "", "", "", "", 0},
    {"/k8s.io/" ID1, 0, "", "", "", "", "", 0},
    {"/machine.slice/libpod-conmon-" ID1 ".scope", 0, "", "", "", "", "", 0},
    /* docker as the kubelet runtime (cri-dockerd), systemd */
    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UIDU ".slice/docker-" ID1
     ".scope",
     1, "docker", ID1, UID, "burstable", "systemd", 0},
    /* kind: a node container holding a kubelet with cgroup root /kubelet */
    {"/system.slice/docker-" ID2 ".scope/kubelet.slice/kubelet-kubepods.slice/"
     "kubelet-kubepods-besteffort.slice/kubelet-kubepods-besteffort-pod" UIDU
     ".slice/cri-containerd-" ID1 ".scope",
     1, "containerd", ID1, UID, "besteffort", "systemd", 0},
    /* seen from inside a cgroup namespace */
    {"/../../kubepods-pod" UIDU ".slice/cri-containerd-" ID1 ".scope", 1, "containerd", ID1, UID,
     "guaranteed", "systemd", 0},
    /* nerdctl */
    {"/system.slice/nerdctl-" ID1 ".scope", 1, "containerd", ID1, "", "", "systemd", 0},
    /* host */
    {"/", 0, "", "", "", "", "", 0},
    {"", 0, "", "", "", "", "", 0},
    {"/user.slice/user-0.slice/session-3.scope", 0, "", "", "", "", "", 0},
    {"/system.slice/containerd.service", 0, "", "", "", "", "", 0},
    /* not ids: too short, upper case, not hex */
    {"/system.slice/docker-abc.scope", 0, "", "", "", "", "", 0},
    {"/docker/C830EE7121DA37BDE4021A90D51728D05BF2E71AC5A31B6461A39B7CF77CFFB1", 0, "", "", "", "",
     "", 0},
    {"/kubepods/burstable/podnot-a-uid/" ID1, 0, "", "", "", "", "", 0},
};

static void test_paths(void)
{
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct container_info ci;
		int got = container_parse_path(r->path, &ci);

		if (got != r->is_ctr || strcmp(ci.runtime, r->runtime) || strcmp(ci.id, r->id) ||
		    strcmp(ci.pod_uid, r->pod_uid) || strcmp(ci.qos, r->qos) ||
		    strcmp(ci.driver, r->driver) || ci.runtime_guessed != r->guessed) {
			fprintf(stderr,
				"row %zu %s:\n  got %d rt=%s id=%s uid=%s qos=%s drv=%s g=%d\n", i,
				r->path, got, ci.runtime, ci.id, ci.pod_uid, ci.qos, ci.driver,
				ci.runtime_guessed);
			CHECK(0);
		} else {
			CHECK(1);
		}
	}
	CHECK_INT(container_parse_path(NULL, &(struct container_info){0}), 0);
}

/* A line too long for the parser is not cut to a prefix that names
 * another container ("/docker/<the id's first 12+ digits>"). */
static void test_proc_cgroup_long_line(void)
{
	static char text[2048];
	struct container_info ci;
	char path[64];
	size_t n;

	n = (size_t)snprintf(text, sizeof(text), "1:name=systemd:/");
	memset(text + n, 'a', 950); /* byte 1023 falls inside the id */
	n += 950;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "/docker/%s\n0::/\n", ID1);
	CHECK_INT(container_parse_proc_cgroup(text, n, &ci, path, sizeof(path)), 0);
	CHECK_STR(ci.id, "");
	CHECK_STR(path, "/");
}

static void test_proc_cgroup(void)
{
	/* cgroup v1 (cgroupfs driver): the container is in every controller */
	const char *v1 = "12:pids:/kubepods/burstable/pod" UID "/" ID1 "\n"
			 "11:memory:/kubepods/burstable/pod" UID "/" ID1 "\n"
			 "1:name=systemd:/kubepods/burstable/pod" UID "/" ID1 "\n"
			 "0::/\n";
	/* hybrid: v2 line is the host's, v1 lines name the docker container */
	const char *hy =
	    "4:memory:/docker/" ID2 "\n1:name=systemd:/docker/" ID2 "\n0::/init.scope\n";
	const char *host = "0::/user.slice/user-0.slice/session-1.scope\n";
	const char *v2 = "0::/system.slice/docker-" ID1 ".scope\n";
	struct container_info ci;
	char path[256];

	CHECK_INT(container_parse_proc_cgroup(v1, strlen(v1), &ci, path, sizeof(path)), 1);
	CHECK_STR(ci.id, ID1);
	CHECK_STR(ci.pod_uid, UID);
	CHECK_STR(path, "/kubepods/burstable/pod" UID "/" ID1);
	CHECK_INT(container_parse_proc_cgroup(hy, strlen(hy), &ci, path, sizeof(path)), 1);
	CHECK_STR(ci.runtime, "docker");
	CHECK_STR(ci.id, ID2);
	CHECK_INT(container_parse_proc_cgroup(host, strlen(host), &ci, path, sizeof(path)), 0);
	CHECK_STR(ci.id, "");
	CHECK_STR(path, "/user.slice/user-0.slice/session-1.scope");
	CHECK_INT(container_parse_proc_cgroup(v2, strlen(v2), &ci, NULL, 0), 1);
	CHECK_STR(ci.id, ID1);
	CHECK_INT(container_parse_proc_cgroup("garbage", 7, &ci, path, sizeof(path)), 0);
	test_proc_cgroup_long_line();
}

static void test_filters(void)
{
	struct container_facts host = {0};
	struct container_facts c1 = {1, ID1, "web", UID, "shop", "web-7d4b9", 1};
	struct container_facts c1_nometa = {1, ID1, "", UID, "", "", 0};
	struct container_filter f;

	memset(&f, 0, sizeof(f));
	CHECK_INT(container_filter_active(&f), 0);
	f.host_only = 1;
	CHECK_INT(container_filter_eval(&f, &host), CF_PASS);
	CHECK_INT(container_filter_eval(&f, &c1), CF_DROP);
	memset(&f, 0, sizeof(f));
	f.containers_only = 1;
	CHECK_INT(container_filter_eval(&f, &host), CF_DROP);
	CHECK_INT(container_filter_eval(&f, &c1), CF_PASS);
	memset(&f, 0, sizeof(f));
	f.container = "c830ee71";
	CHECK_INT(container_filter_eval(&f, &c1), CF_PASS);
	CHECK_INT(container_filter_eval(&f, &c1_nometa), CF_PASS);
	f.container = "C830EE71";
	CHECK_INT(container_filter_eval(&f, &c1), CF_PASS);
	f.container = "web";
	CHECK_INT(container_filter_eval(&f, &c1), CF_PASS);
	CHECK_INT(container_filter_eval(&f, &c1_nometa), CF_UNDECIDED);
	f.container = "5f3b";
	CHECK_INT(container_filter_eval(&f, &c1), CF_DROP);
	CHECK_INT(container_filter_eval(&f, &host), CF_DROP);
	memset(&f, 0, sizeof(f));
	f.pod_uid = UID;
	CHECK_INT(container_filter_eval(&f, &c1), CF_PASS);
	CHECK_INT(container_filter_eval(&f, &c1_nometa), CF_PASS);
	f.pod_uid = "0f4c1e9a";
	CHECK_INT(container_filter_eval(&f, &c1), CF_DROP);
	memset(&f, 0, sizeof(f));
	f.k8s_namespace = "shop";
	CHECK_INT(container_filter_needs_meta(&f), 1);
	CHECK_INT(container_filter_eval(&f, &c1), CF_PASS);
	CHECK_INT(container_filter_eval(&f, &c1_nometa), CF_UNDECIDED);
	CHECK_INT(container_filter_eval(&f, &host), CF_DROP);
	f.k8s_namespace = "kube-system";
	CHECK_INT(container_filter_eval(&f, &c1), CF_DROP);
	memset(&f, 0, sizeof(f));
	f.pod = "web-7d4b9";
	CHECK_INT(container_filter_eval(&f, &c1), CF_PASS);
	f.pod = "web";
	CHECK_INT(container_filter_eval(&f, &c1), CF_DROP);
}

static void test_json(void)
{
	const char *j =
	    "{\"a\": 1, \"ann\" : {\"k\\\"q\":\"v\\u00e9\\n\", \"x\":[1,{\"y\":\"}\"}]},"
	    "\"s\":\"\\ud83d\\ude00\", \"n\": null}";
	const char *e = j + strlen(j), *v;
	char out[64];

	v = json_get(j, e, "ann");
	CHECK(v != NULL);
	CHECK(json_get(v, e, "x") != NULL);
	CHECK_INT(json_string(json_get(v, e, "k\"q"), e, out, sizeof(out)), 0);
	CHECK_STR(out, "v\xc3\xa9\n");
	CHECK_INT(json_string(json_get(j, e, "s"), e, out, sizeof(out)), 0);
	CHECK_STR(out, "\xf0\x9f\x98\x80");
	CHECK(json_get(j, e, "missing") == NULL);
	CHECK(json_get(j, e, "n") != NULL);
	CHECK_INT(json_string(json_get(j, e, "a"), e, out, sizeof(out)), -1);
	/* truncated input never reads past the end */
	for (size_t n = 0; n < strlen(j); n++) {
		char *t = malloc(n + 1);

		memcpy(t, j, n);
		t[n] = 0;
		v = json_get(t, t + n, "ann");
		if (v)
			json_get(v, t + n, "x");
		free(t);
	}
	CHECK(1);
	/* a malformed escape fails the string whatever the buffer's size */
	j = "{\"s\":\"abcdef\\uZZZZ\"}";
	e = j + strlen(j);
	CHECK_INT(json_string(json_get(j, e, "s"), e, out, 4), -1);
	CHECK_INT(json_string(json_get(j, e, "s"), e, out, sizeof(out)), -1);
	j = "{\"s\":\"abcdef\"}";
	e = j + strlen(j);
	CHECK_INT(json_string(json_get(j, e, "s"), e, out, 4), 0);
	CHECK_STR(out, "abc");
	/* nesting deeper than JSON_DEPTH_MAX is malformed */
	{
		char deep[2 * JSON_DEPTH_MAX + 64];
		size_t n = 0;

		for (int depth = JSON_DEPTH_MAX; depth <= JSON_DEPTH_MAX + 1; depth++) {
			n = (size_t)snprintf(deep, sizeof(deep), "{\"a\":");
			memset(deep + n, '[', (size_t)depth);
			n += (size_t)depth;
			memset(deep + n, ']', (size_t)depth);
			n += (size_t)depth;
			n += (size_t)snprintf(deep + n, sizeof(deep) - n, ",\"b\":\"x\"}");
			CHECK((json_get(deep, deep + n, "b") != NULL) == (depth <= JSON_DEPTH_MAX));
		}
	}
}

static void test_state_parsers(void)
{
	const char *crio =
	    "{\"annotations\":{\"io.kubernetes.pod.name\":\"pay-5c9\","
	    "\"io.kubernetes.pod.namespace\":\"billing\",\"io.kubernetes.cri-o.SandboxID\":\"" ID1
	    "\",\"io.kubernetes.cri-o.Labels\":\"{\\\"team\\\":\\\"caf\\\\u00e9\\\","
	    "\\\"io.kubernetes.pod.name\\\":\\\"pay-5c9\\\",\\\"app\\\":\\\"pay\\\"}\"}}";
	const char *podman =
	    "[{\"id\":\"aa\",\"names\":[\"other\"]},{\"id\":\"" ID2 "\",\"names\":[\"web\",\"w2\"],"
	    "\"metadata\":\"{\\\"image-name\\\":\\\"quay.io/h:1\\\"}\"}]";
	struct k8s_attr a;
	char sb[CTR_ID_MAX];

	memset(&a, 0, sizeof(a));
	runtime_state_parse_oci(crio, strlen(crio), &a, NULL, 0);
	CHECK_STR(a.pod, "pay-5c9");
	CHECK_STR(a.k8s_namespace, "billing");
	CHECK_STR(a.labels, "app=pay,team=caf\xc3\xa9");
	memset(&a, 0, sizeof(a));
	sb[0] = 0;
	runtime_state_parse_oci(crio, strlen(crio), &a, sb, sizeof(sb));
	CHECK_STR(sb, ID1);
	CHECK_STR(a.labels, ""); /* a container's labels come from its sandbox */
	memset(&a, 0, sizeof(a));
	CHECK_INT(runtime_state_parse_podman(podman, strlen(podman), ID2, &a), 1);
	CHECK_STR(a.container_name, "web");
	CHECK_STR(a.image, "quay.io/h:1");
	memset(&a, 0, sizeof(a));
	CHECK_INT(runtime_state_parse_podman(podman, strlen(podman), ID1, &a), 0);
	CHECK_STR(a.container_name, "");
}

static void put(const char *root, const char *rel, const char *text)
{
	char p[1024], cmd[1200];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", p);
	if (system(cmd) != 0)
		return;
	f = fopen(p, "w");
	if (!f)
		return;
	fputs(text, f);
	fclose(f);
}

static void test_meta(void)
{
	char root[] = "/tmp/dnsvis-ut.XXXXXX", cmd[256];
	struct k8s_attr a;

	if (!mkdtemp(root)) {
		CHECK(0);
		return;
	}
	put(root, "/run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID1 "/config.json",
	    "{\"ociVersion\":\"1.1.0\",\"annotations\":{"
	    "\"io.kubernetes.cri.container-type\":\"container\","
	    "\"io.kubernetes.cri.container-name\":\"web\","
	    "\"io.kubernetes.cri.image-name\":\"docker.io/library/nginx:1.27\","
	    "\"io.kubernetes.cri.sandbox-name\":\"web-7d4b9\","
	    "\"io.kubernetes.cri.sandbox-namespace\":\"shop\"}}");
	put(root, "/var/lib/docker/containers/" ID2 "/config.v2.json",
	    "{\"Name\":\"/db\",\"Config\":{\"Image\":\"postgres:16\",\"Labels\":{\"tier\":\"data\","
	    "\"app\":\"pg\"}}}");
	put(root, "/var/log/pods/shop_api-0_" UID "/api/0.log", "");
	put(root, "/var/log/containers/api-0_shop_api-" ID2 ".log", "");
	CHECK_INT(host_root_set(root), 0);
	k8s_meta_resolve_path(
	    "/kubepods.slice/kubepods-pod" UIDU ".slice/cri-containerd-" ID1 ".scope", &a);
	CHECK_INT(a.is_container, 1);
	CHECK_STR(a.pod, "web-7d4b9");
	CHECK_STR(a.k8s_namespace, "shop");
	CHECK_STR(a.container_name, "web");
	CHECK_STR(a.image, "docker.io/library/nginx:1.27");
	CHECK_INT(a.meta_complete, 1);
	k8s_meta_resolve_path("/docker/" ID2, &a);
	CHECK_STR(a.ci.runtime, "docker");
	CHECK_STR(a.container_name, "db");
	CHECK_STR(a.image, "postgres:16");
	CHECK_STR(a.labels, "app=pg,tier=data");
	/* cgroupfs kubelet shape, docker state: the runtime is settled by it;
	 * pod and container names from kubelet's log layout */
	k8s_meta_resolve_path("/kubepods/besteffort/pod" UID "/" ID2, &a);
	CHECK_STR(a.ci.runtime, "docker");
	CHECK_INT(a.ci.runtime_guessed, 0);
	CHECK_STR(a.pod, "api-0");
	CHECK_STR(a.k8s_namespace, "shop");
	CHECK_STR(a.container_name, "api"); /* a pod: not docker's Name */
	/* containerd's own shape (ctr): a task of namespace "default" */
	put(root, "/run/containerd/io.containerd.runtime.v2.task/default/web1/config.json",
	    "{\"ociVersion\":\"1.0.2-dev\",\"process\":{\"args\":[\"sh\"]}}");
	k8s_meta_resolve_path("/default/web1", &a);
	CHECK_INT(a.is_container, 1);
	CHECK_STR(a.ci.runtime, "containerd");
	CHECK_STR(a.ci.id, "web1");
	CHECK_STR(a.container_name, "web1");
	CHECK_INT(a.meta_complete, 1);
	/* no such task (any more) in a namespace containerd has: its path
	 * was captured at send time, so a container of that namespace */
	k8s_meta_resolve_path("/default/web2", &a);
	CHECK_INT(a.is_container, 1);
	CHECK_STR(a.ci.runtime, "containerd");
	CHECK_STR(a.ci.id, "web2");
	k8s_meta_resolve_path("/nons/web2", &a); /* no such namespace */
	CHECK_INT(a.is_container, 0);
	k8s_meta_resolve_path("/default/web2/sub", &a); /* not /<namespace>/<id> */
	CHECK_INT(a.is_container, 0);
	k8s_meta_resolve_path("/system.slice/cron.service", &a);
	CHECK_INT(a.is_container, 0);
	/* a container whose files are gone: still named, by its id */
	put(root, "/var/lib/docker/containers/" ID3 "/config.v2.json",
	    "{\"Name\":\"/quick\",\"Config\":{\"Image\":\"busybox:1\",\"Labels\":{}}}");
	k8s_meta_resolve_path("/docker/" ID3, &a);
	CHECK_STR(a.container_name, "quick");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/var/lib/docker/containers/%s'", root, ID3);
	CHECK_INT(system(cmd), 0);
	k8s_meta_resolve_path("/docker/" ID3, &a);
	CHECK_STR(a.container_name, "quick");
	CHECK_STR(a.image, "busybox:1");
	CHECK_INT(a.meta_complete, 1);
	/* never seen and no files: not complete, read again later */
	k8s_meta_resolve_path("/docker/" ID1, &a);
	CHECK_INT(a.is_container, 1);
	CHECK_STR(a.container_name, "");
	CHECK_INT(a.meta_complete, 0);
	host_root_set(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	CHECK_INT(system(cmd), 0);
}

int main(void)
{
	test_paths();
	test_proc_cgroup();
	test_filters();
	test_json();
	test_state_parsers();
	test_meta();
	return check_report("container");
}
