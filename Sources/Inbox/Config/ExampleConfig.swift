/// A config file using every key, for `mailbag config --help` and the README. A test loads it,
/// so the documentation cannot drift from what the loader accepts.
public enum ExampleConfig {
    public static let text = """
        # ~/.config/mailbag/config.toml ($XDG_CONFIG_HOME/mailbag/config.toml)
        # Only you may write to it: chmod 600 ~/.config/mailbag/config.toml
        # Check it with: mailbag config check

        # Opened by `mailbag` without arguments; optional with one account.
        default_account = "work"

        # Defaults for every account; each account may override them.
        # Shipped themes: default, light, solarized-dark, high-contrast, mono.
        theme = "default"
        # Turns HTML on stdin into text on stdout; unset: built-in converter.
        # html_converter = "w3m -dump -T text/html"
        # Ask before downloading a larger message: bytes, or "500KB", "2MB"
        # (1 KB = 1024 bytes). Default 1MB.
        large_message_threshold = "2MB"
        # Replies (r, g) and forwards (f) are handed to this command, which
        # reads the message on its standard input and finds the recipients in
        # its headers (-t). Default: /usr/sbin/sendmail -t -oi
        sendmail_command = "/usr/sbin/sendmail -t -oi"

        [accounts.work]
        host = "mail.example.org"
        user = "alice@example.org"
        # "tls": TLS from the start (port 995, the default).
        # "starttls": plain connect, then STLS is required (port 110).
        # "none": no TLS, password in clear; needs allow_plaintext = true.
        security = "tls"
        # Default: 995 with tls, 110 otherwise.
        port = 995
        # Login mechanisms allowed, tried in this order. Default: all of
        # OAUTHBEARER, XOAUTH2 (with oauth2_token_command only), CRAM-MD5,
        # PLAIN, LOGIN, APOP, USER, strongest first.
        auth = ["CRAM-MD5", "PLAIN"]
        # Run with /bin/sh -c; the first line it prints is the password.
        # Without it Mailbag asks. Passwords are never stored here.
        password_command = "pass show mail/work"
        # Instead of a password, an OAuth2 access token for OAUTHBEARER or
        # XOAUTH2 (Gmail, Outlook.com): the first line this prints. It is run
        # again when the server refuses the token, so it should refresh it.
        # oauth2_token_command = "oama access alice@gmail.com"
        # Extra certificate authority (PEM) besides the system store;
        # relative paths start from this file's directory.
        # ca_file = "~/certs/work-ca.pem"
        # Seconds to wait for the server to connect or answer.
        timeout = 30
        # Seconds between NOOPs while idle, so the server keeps the session
        # (and your deletion marks) alive.
        keepalive = 240
        # Seconds between checks for new mail while the reader is open (each
        # check is a new session; $ checks at once). 0 turns it off.
        check_interval = 300
        # Keep opened messages on disk, up to body_cache_limit in total.
        cache_bodies = true
        body_cache_limit = "200MB"
        # Send one command at a time even if the server offers PIPELINING
        # (for a server that loses commands sent ahead). Default: true.
        # pipelining = false
        # Larger messages are not fetched: bytes, or "200MB". Default 100MB,
        # at most 2GB.
        # max_message_size = "200MB"
        # The folder A (archive) saves into before marking the message for
        # deletion: an mbox file, or a Maildir (a path ending in /).
        archive = "~/Mail/archive/"
        # The safety net: every message is saved here right before the commit
        # deletes it, and one that cannot be saved is not deleted. Off unless
        # set. Past keep_deleted_limit (default 1GB) deletions stop instead.
        # keep_deleted = "~/Mail/mailbag-deleted"
        # keep_deleted_limit = "1GB"
        # The From of replies and forwards. Default: the user, with @host
        # added when the user name has no @.
        from = "Alice Example <alice@example.org>"
        # This account's own way out, instead of the default above.
        sendmail_command = "msmtp -t -a work"

        [accounts.home]
        host = "pop.example.net"
        user = "bob"
        security = "starttls"
        theme = "solarized-dark"
        large_message_threshold = "10MB"

        """
}
