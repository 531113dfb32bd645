"""The account side of the window: the panel that shows who the account is and what Stripe still
needs (:mod:`.panel`), and looking an account up (:mod:`.lookup`)."""
