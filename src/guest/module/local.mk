# SPDX-License-Identifier: GPL-2.0
# The guest-side Linux kernel module xenp2m_guest.ko (doc/guest-module.md):
# not part of `make all` (it needs a kernel's build tree); `make module
# [KDIR=...]` builds it here, in src/guest/module/.
XP_MODULE_FILES = \
	src/guest/module/main.c src/guest/module/store.c src/guest/module/self-check.c \
	src/guest/module/grant.c src/guest/module/grow.c src/guest/module/kmap.c \
	src/guest/module/module.h src/guest/module/Kbuild src/guest/module/Makefile \
	src/guest/module/dkms.conf src/guest/module/build.sh src/guest/xenp2m-keys.h
EXTRA_DIST += $(XP_MODULE_FILES) doc/guest-module.md

module:
	$(SHELL) $(srcdir)/src/guest/module/build.sh $(srcdir) $(abs_builddir)/src/guest/module "$(KDIR)"

CLEANFILES += src/guest/module/*.o src/guest/module/*.ko src/guest/module/*.mod \
	src/guest/module/*.mod.c src/guest/module/.*.cmd src/guest/module/Module.symvers \
	src/guest/module/modules.order

.PHONY: module
