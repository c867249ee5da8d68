"""ISP links: settings' ISP systems as API clients (bearer tokens), links from a plan to a pinned
version of an item, which links need review after a substantive revision or a withdrawal, webhooks
telling a client so, and the count of links an edition flags."""
