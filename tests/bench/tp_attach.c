/* tp_attach.c - load a BPF object, attach each of its programs, print
 * "attached" and hold them until SIGTERM/SIGINT.  Used by bench-live.sh
 * (and statically linked, in the VM guest of bench-vm). */
#include <bpf/libbpf.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static void on_signal(int sig)
{
	(void)sig;
}

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *links[16];
	int n = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: tp_attach OBJ\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj || bpf_object__load(obj) != 0) {
		fprintf(stderr, "tp_attach: cannot load %s\n", argv[1]);
		return 1;
	}
	bpf_object__for_each_program(prog, obj)
	{
		if (n == 16 || !(links[n] = bpf_program__attach(prog))) {
			fprintf(stderr, "tp_attach: cannot attach %s\n", bpf_program__name(prog));
			return 1;
		}
		n++;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("attached\n");
	fflush(stdout);
	pause();
	while (n > 0)
		bpf_link__destroy(links[--n]);
	bpf_object__close(obj);
	return 0;
}
