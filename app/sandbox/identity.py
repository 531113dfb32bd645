"""What the rest of the app needs to know of the built-in sandbox without loading it: the demo
key, and the name and id of the platform that key belongs to. (The Sandbox profile is built on
every start, by the window and by each command; the seed data and the server are not needed
for that.)"""

DEMO_API_KEY = "sk_test_linkdesk_sandbox"
PLATFORM_ID = "acct_1LdPlatform00001"
PLATFORM_NAME = "Linkdesk Demo Platform"
