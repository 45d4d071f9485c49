// The CLI's exit codes (README "Command line"), one list for every command.
export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2
/** 128 + SIGINT, as shells report it: the command was cancelled before it finished. */
export const EXIT_INTERRUPTED = 130
