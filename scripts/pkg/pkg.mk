# scripts/pkg/pkg.mk - .deb and .rpm of the static binary, man page, systemd
# unit, logrotate file and bash completion (included by GNUmakefile).
#   make deb   -> $(BUILD)/pkg/dnsvis_VERSION_amd64.deb   (dpkg-deb)
#   make rpm   -> $(BUILD)/pkg/dnsvis-VERSION-1.x86_64.rpm (rpmbuild, Debian's rpm package)
# Both are made from one `make install DESTDIR=...` tree (PREFIX=/usr); the
# binary is stripped and the man page gzipped.  tests/pkg/run.sh checks them.
PKG_DIR := $(BUILD)/pkg
PKG_DEPS := $(BUILD)/dnsvis $(BUILD)/doc/dnsvis.8 scripts/dnsvis.service scripts/dnsvis.logrotate \
	scripts/bash-completion/dnsvis doc/doc.mk scripts/pkg/build.sh scripts/pkg/pkg.mk \
	scripts/pkg/control.in scripts/pkg/dnsvis.spec.in scripts/pkg/copyright \
	scripts/pkg/lintian-overrides

.PHONY: deb rpm pkg-check
deb: $(PKG_DIR)/dnsvis_$(DNSVIS_VERSION)_amd64.deb
rpm: $(PKG_DIR)/dnsvis-$(DNSVIS_VERSION)-1.x86_64.rpm

# deb: the unit in /lib/systemd/system (Debian 10-12 and Ubuntu 18.04-22.04
# read units there; /usr/lib is merged on newer releases)
$(PKG_DIR)/dnsvis_$(DNSVIS_VERSION)_amd64.deb: $(PKG_DEPS)
	@rm -rf $(PKG_DIR)/root-deb
	@$(MAKE) --no-print-directory install DESTDIR=$(abspath $(PKG_DIR)/root-deb) PREFIX=/usr \
		UNITDIR=/lib/systemd/system >/dev/null
	scripts/pkg/build.sh deb $(PKG_DIR)/root-deb $(DNSVIS_VERSION) $@

# rpm: the unit in /usr/lib/systemd/system (RHEL/CentOS 7 and 8, Amazon Linux 2)
$(PKG_DIR)/dnsvis-$(DNSVIS_VERSION)-1.x86_64.rpm: $(PKG_DEPS)
	@rm -rf $(PKG_DIR)/root-rpm
	@$(MAKE) --no-print-directory install DESTDIR=$(abspath $(PKG_DIR)/root-rpm) PREFIX=/usr \
		UNITDIR=/usr/lib/systemd/system >/dev/null
	scripts/pkg/build.sh rpm $(PKG_DIR)/root-rpm $(DNSVIS_VERSION) $@

pkg-check: deb rpm
	@tests/pkg/run.sh $(BUILD)/dnsvis
