"""The panel workspace at `/panel/`, behind sign-in: a home page saying what the signed-in role can
do, the reviews with their findings, and, for administrators, the audit trail with its chain check.
(The recommendations made in each review are added by the governance feature.)"""
