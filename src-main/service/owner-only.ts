// The modes of everything the app creates on disk: the config file, recordings, CSV exports and
// the folders made for them. They hold the server's configuration, alert rules and traffic
// figures, which other local users have no business reading; so files are created 0600 and
// folders 0700 (the umask can only take bits away). Files and folders that already exist keep
// their modes: the user may have chosen them.
export const OWNER_ONLY_FILE_MODE = 0o600
export const OWNER_ONLY_DIR_MODE = 0o700
