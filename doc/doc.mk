# doc/doc.mk - the man page and `make install` (included by GNUmakefile).
#   make man                          -> $(BUILD)/doc/dnsvis.8
#   make install [PREFIX=/usr/local] [DESTDIR=...]
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
UNITDIR    ?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc
DNSVIS_VERSION := $(shell sed -n 's/^\#define DNSVIS_VERSION "\(.*\)"/\1/p' user/main.c)

.PHONY: man install uninstall
man: $(BUILD)/doc/dnsvis.8

$(BUILD)/doc/dnsvis.8: doc/dnsvis.8.in user/main.c
	@mkdir -p $(dir $@)
	sed 's/@VERSION@/$(DNSVIS_VERSION)/g' $< > $@

install: $(BUILD)/dnsvis $(BUILD)/doc/dnsvis.8
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	install -m 0755 $(BUILD)/dnsvis $(DESTDIR)$(SBINDIR)/dnsvis
	install -m 0644 $(BUILD)/doc/dnsvis.8 $(DESTDIR)$(MANDIR)/man8/dnsvis.8
	install -m 0644 scripts/bash-completion/dnsvis $(DESTDIR)$(BASHCOMPDIR)/dnsvis
	sed 's#/usr/local/sbin/dnsvis#$(SBINDIR)/dnsvis#' scripts/dnsvis.service \
		> $(DESTDIR)$(UNITDIR)/dnsvis.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/dnsvis.service
	install -m 0644 scripts/dnsvis.logrotate $(DESTDIR)$(SYSCONFDIR)/logrotate.d/dnsvis

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/dnsvis $(DESTDIR)$(MANDIR)/man8/dnsvis.8 \
		$(DESTDIR)$(BASHCOMPDIR)/dnsvis $(DESTDIR)$(UNITDIR)/dnsvis.service \
		$(DESTDIR)$(SYSCONFDIR)/logrotate.d/dnsvis
