/// The account's named resources that calls refer to: buckets, roles, parameters, log groups.
enum CloudTrailInventory {
    static let buckets = [
        "acme-shop-assets", "acme-ci-artifacts", "acme-logs-archive", "acme-web-static", "acme-prod-backups",
        "acme-terraform-state", "aws-cloudtrail-logs-111122223333-3f2a9c1d", "acme-data-exports",
    ]
    static let roles = [
        "Deployer", "Admin", "eks-node-role", "AmazonEKS_EBS_CSI_DriverRole", "aws-load-balancer-controller",
        "orders-export-lambda", "prod-eu-cluster-role", "legacy-ci-role", "external-dns", "grafana-cloudwatch",
    ]
    static let policies = [
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy", "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy", "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
        "arn:aws:iam::111122223333:policy/orders-export-access", "arn:aws:iam::111122223333:policy/deployer-boundary",
    ]
    static let parameters = [
        "/prod/orders/db-url", "/prod/orders/export-bucket", "/shop/cart/redis-url", "/payments/ledger/api-endpoint",
        "/aws/service/eks/optimized-ami/1.31/amazon-linux-2023/x86_64/standard/recommended/image_id",
    ]
    static let logGroups = [
        "/aws/lambda/orders-export", "/aws/eks/prod-eu/cluster", "/aws/containerinsights/prod-eu/performance",
        "/aws/containerinsights/prod-eu/application", "/ecs/legacy-batch",
    ]
    static let repositories = ["cart", "catalog", "checkout", "frontend", "api", "orders", "worker", "payments-api", "ledger"]
    static let nodegroups = ["general-a", "general-b", "spot-c"]
    static let securityGroups = ["sg-0a41c3b2d9e8f7061", "sg-03f9b2e1c4d5a6078", "sg-0c7e6d5b4a3f21098"]
    static let subnets = ["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829", "subnet-0c3d4e5f607182930"]
    static let instanceTypes = ["m6i.large", "m6i.xlarge", "c6i.large", "r6i.large"]
    static let kmsKeyID = "4f7c2a91-8d3e-4b6a-9c15-2e8f0d7a6b43"
}
