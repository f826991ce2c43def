bashcompdir = $(datadir)/bash-completion/completions
zshcompdir = $(datadir)/zsh/vendor-completions
dist_bashcomp_DATA = completions/xenp2m.bash
dist_zshcomp_DATA = completions/_xenp2m
dist_bashcomp_DATA += completions/xenp2m-sim.bash
dist_zshcomp_DATA += completions/_xenp2m-sim
