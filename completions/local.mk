# Shell completions.  bash-completion finds a completion by the command's
# name, so each completions/CMD.bash listed in BASH_COMPLETIONS installs as
# CMD; zsh's are installed as they are (_CMD).
bashcompletiondir = $(datadir)/bash-completion/completions
zshcompletiondir = $(datadir)/zsh/site-functions
BASH_COMPLETIONS =
dist_zshcompletion_DATA =

BASH_COMPLETIONS += completions/xenp2m-sim.bash
dist_zshcompletion_DATA += completions/_xenp2m-sim

EXTRA_DIST += $(BASH_COMPLETIONS)

install-data-local: install-bash-completions
uninstall-local: uninstall-bash-completions

install-bash-completions:
	$(MKDIR_P) '$(DESTDIR)$(bashcompletiondir)'
	for f in $(BASH_COMPLETIONS); do \
		$(INSTALL_DATA) "$(srcdir)/$$f" "$(DESTDIR)$(bashcompletiondir)/`basename $$f .bash`" || exit 1; \
	done

uninstall-bash-completions:
	for f in $(BASH_COMPLETIONS); do \
		rm -f "$(DESTDIR)$(bashcompletiondir)/`basename $$f .bash`"; \
	done
.PHONY: install-bash-completions uninstall-bash-completions
