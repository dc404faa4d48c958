output "role_arns" {
  description = "IAM role ARN per component (capture, functions, dissector): the eks.amazonaws.com/role-arn annotation of its ServiceAccount."
  value       = { for k, r in aws_iam_role.component : k => r.arn }
}

output "service_account_role_arns" {
  description = "IAM role ARN per ServiceAccount name, ready to annotate."
  value       = merge({ for k, name in var.service_accounts : name => aws_iam_role.component[k].arn }, { (var.dead_letter_service_account) = aws_iam_role.dead_letters.arn })
}
