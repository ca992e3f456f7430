"""Sandbox extension: CloudWatch Logs, for CloudFormation only.

moto's log groups serve the API as they are; what the template needs is a log group
handler that can be updated (:mod:`.cloudformation`, imported by
:mod:`lab.sandbox.cloudformation`). No seams.

Imports: ``cloudformation.base`` only.
"""
