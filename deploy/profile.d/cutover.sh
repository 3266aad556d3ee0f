# cutover: start this login's `cutover do` command server as the login begins, so that
# its first `cutover do` is as quick as the rest (docs/jump-host.md, "A login's first
# command"). Copy to /etc/profile.d/ (every user's login shells) or source it at the end of
# ~/.profile. It never delays nor fails a login: `cutover warm` runs in the background,
# silent. The server stays while this login shell ($$) lives; once it has gone, the server
# leaves when its last command is an idle hour old (at once, if it is already).
# Only for interactive logins (a script's `bash -lc ...` types no commands), never root's
# (never served), and where the group CUTOVER_LOGIN_GROUP (default: cutover) exists, only
# for its members: a server is about 42 MB for the whole login, not worth it for users who
# never run cutover.
case $- in
*i*)
    if [ "$(id -u)" != 0 ] && command -v cutover >/dev/null 2>&1; then
        case " $(id -Gn 2>/dev/null) " in
        *" ${CUTOVER_LOGIN_GROUP:-cutover} "*) cutover_warm=1 ;;
        *) getent group "${CUTOVER_LOGIN_GROUP:-cutover}" >/dev/null 2>&1 || cutover_warm=1 ;;
        esac
        if [ -n "${cutover_warm:-}" ]; then
            (cutover warm --while "$$" </dev/null >/dev/null 2>&1 &)
        fi
        unset cutover_warm
    fi
    ;;
esac
