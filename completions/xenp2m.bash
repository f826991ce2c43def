# SPDX-License-Identifier: GPL-2.0
# bash completion for xenp2m(8)

_xenp2m_domains()
{
	local sim=$1
	# ids and names from `xenp2m list` (honours --sim / $XENP2M_SIM)
	xenp2m ${sim:+--sim="$sim"} list 2>/dev/null | awk 'NR > 1 { print $1; print $2 }'
}

_xenp2m()
{
	local cur prev words cword
	_init_completion -s || return

	local global_opts="--format -j --json -p --pretty --sim -? --help --usage -V --version"
	local verbs="check show grants list snapshot verify"
	local verb= sim= i
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		--sim=*) sim=${words[i]#--sim=} ;;
		--sim) sim=${words[i + 1]} ;;
		-*) ;;
		*) [[ -z $verb && ${words[i - 1]} != --sim ]] && verb=${words[i]} ;;
		esac
	done
	[[ -z $sim ]] && sim=${XENP2M_SIM:-}

	case $prev in
	--format)
		COMPREPLY=($(compgen -W "text json prometheus" -- "$cur"))
		return
		;;
	--sim|-s|--symbols|-o|--output|--baseline)
		_filedir
		return
		;;
	--textfile-dir)
		_filedir -d
		return
		;;
	--pfn|--mfn|--first|--last|--max-findings|--ref|--grant-frames-warn|--wait)
		return
		;;
	esac

	case $verb in
	"")
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "$global_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$verbs" -- "$cur"))
		fi
		;;
	check)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-a --all -s --symbols --max-findings --no-grants --grant-frames-warn --textfile-dir $global_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_xenp2m_domains "$sim")" -- "$cur"))
		fi
		;;
	show)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--pfn --mfn --dump --first --last $global_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_xenp2m_domains "$sim")" -- "$cur"))
		fi
		;;
	grants)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--all-entries --ref $global_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_xenp2m_domains "$sim")" -- "$cur"))
		fi
		;;
	list)
		COMPREPLY=($(compgen -W "--textfile-dir $global_opts" -- "$cur"))
		;;
	snapshot)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-o --output --pages --force $global_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_xenp2m_domains "$sim")" -- "$cur"))
		fi
		;;
	verify)
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--baseline --pages --wait --force $global_opts" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$(_xenp2m_domains "$sim")" -- "$cur"))
		fi
		;;
	esac
	[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
}
complete -F _xenp2m xenp2m
