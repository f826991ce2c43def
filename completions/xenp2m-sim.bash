# SPDX-License-Identifier: GPL-2.0
# bash completion for xenp2m-sim(1)

_xenp2m_sim_verbs()
{
	echo init create list destroy pause unpause rename save restore migrate mem-set symbols \
		corrupt grant ungrant grant-map grant-unmap
}

# Each verb's own options (the global ones: _xenp2m_sim_global_opts).
_xenp2m_sim_opts()
{
	case $1 in
	init) echo --memory ;;
	create) echo --name --memory --maxmem --width --layout --kernel --gnttab-version --seed \
		--paused ;;
	list) echo --json ;;
	save) echo --checkpoint --paused --delay-us ;;
	restore) echo --paused ;;
	migrate | mem-set) echo --delay-us ;;
	symbols) echo --output ;;
	corrupt) echo --index --pfn --pages --ref ;;
	grant) echo --to --readonly --count ;;
	grant-map) echo --by --readonly ;;
	grant-unmap) echo --by ;;
	esac
}

_xenp2m_sim_global_opts()
{
	echo --verbose --help --version
}

_xenp2m_sim_kinds()
{
	echo stale-top-mfn foreign-top-mfn foreign-mid-mfn mid-wrong-leaf m2p-mismatch \
		leaf-swap leaf-out-of-range top-out-of-range top-mfn-p missing-mfn \
		list-pte-clear list-pte-foreign pt-loop max-pfn generation-odd \
		frame-list-list p2m-cr3 p2m-vaddr pfn-tree-leaf grant-foreign-frame \
		grant-bad-flags grant-dead-peer grant-reserved-stale page-write
}

# The domain names on host $1 (first column of "list", without its header).
_xenp2m_sim_domains()
{
	[[ -f $1 ]] || return
	xenp2m-sim list "$1" 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_xenp2m_sim()
{
	local cur prev verb i host="" nargs=0
	local -a args=()
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD - 1]}

	# the verb and the positional arguments typed so far
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		--memory | --maxmem | --name | --width | --layout | --kernel | --seed | \
			--delay-us | --output | -o | --index | --pfn | --pages | --ref | \
			--gnttab-version | --to | --by | --count)
			((i++))
			;;
		-*) ;;
		*) args+=("${COMP_WORDS[i]}") ;;
		esac
	done
	verb=${args[0]:-}
	host=${args[1]:-}
	nargs=$((${#args[@]} - 1))

	case $prev in
	--width)
		COMPREPLY=($(compgen -W "64 32" -- "$cur"))
		return
		;;
	--layout)
		COMPREPLY=($(compgen -W "tree list list-only" -- "$cur"))
		return
		;;
	--kernel)
		COMPREPLY=($(compgen -W "fixed pre-fix-003 pre-fix-002" -- "$cur"))
		return
		;;
	--gnttab-version)
		COMPREPLY=($(compgen -W "1 2" -- "$cur"))
		return
		;;
	--output | -o)
		COMPREPLY=($(compgen -f -- "$cur"))
		return
		;;
	--memory | --maxmem | --name | --seed | --delay-us | --index | --pfn | --pages | \
		--ref | --to | --by | --count)
		return
		;;
	esac

	if [[ -z $verb ]]; then
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$(_xenp2m_sim_global_opts)" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_xenp2m_sim_verbs)" -- "$cur"))
		fi
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(_xenp2m_sim_opts "$verb") $(_xenp2m_sim_global_opts)" \
			-- "$cur"))
		return
	fi
	case $nargs in
	0)
		COMPREPLY=($(compgen -f -- "$cur"))
		;;
	1)
		case $verb in
		restore) COMPREPLY=($(compgen -f -- "$cur")) ;;
		destroy | pause | unpause | rename | save | migrate | mem-set | symbols | \
			corrupt | grant | ungrant | grant-map | grant-unmap)
			COMPREPLY=($(compgen -W "$(_xenp2m_sim_domains "$host")" -- "$cur"))
			;;
		esac
		;;
	2)
		case $verb in
		save) COMPREPLY=($(compgen -f -- "$cur")) ;;
		corrupt) COMPREPLY=($(compgen -W "$(_xenp2m_sim_kinds)" -- "$cur")) ;;
		esac
		;;
	esac
}

complete -F _xenp2m_sim xenp2m-sim
