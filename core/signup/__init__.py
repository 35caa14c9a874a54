"""Self-service sign-up and login of persons: one-time codes by SMS, WeChat mini-program login, and
username + password sign-up where settings allow (issue 18). See docs/self-service.md."""
