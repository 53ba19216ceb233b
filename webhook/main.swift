// Thin entry point: every command lives in its own file.
await SingletonWebhook.main()
