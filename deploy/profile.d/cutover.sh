# cutover: start this login's `cutover do` command server as the login begins, so that
# its first `cutover do` is as quick as the rest (docs/jump-host.md, "A login's first
# command"). Copy to /etc/profile.d/ (every user's login shells) or source it from
# ~/.profile. It never delays nor fails a login: `cutover warm` runs in the background,
# silent, and does nothing for root or with CUTOVER_DO_SERVER=0. The server stays while
# this login shell ($$) lives; once it has gone, the server leaves when its last command
# is an idle hour old (at once, if it is already).
# Interactive logins only: a script's login shell (`bash -lc ...`) types no commands.
case $- in
*i*)
    if command -v cutover >/dev/null 2>&1; then
        (cutover warm --while "$$" </dev/null >/dev/null 2>&1 &)
    fi
    ;;
esac
