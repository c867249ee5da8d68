"""What every page shares: security headers, fingerprinted static files, error pages, Markdown
rendering and the request context (preview or public bundle). Imports no feature package."""
