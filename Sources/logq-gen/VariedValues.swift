/// Values of the varied profile: user agents, addresses and identifiers drawn from the ranges
/// real clusters and accounts show, so that a day holds thousands of distinct values where the
/// standard profile repeats a few dozen.
enum VariedValues {
    /// `kubectl/v1.29.3 (linux/amd64) kubernetes/6813625` with any recent version and platform.
    static func kubectl(_ rng: inout SplitMix64) -> String {
        let minor = rng.int(in: 25...32)
        let patch = rng.int(in: 0...14)
        return "kubectl/v1.\(minor).\(patch) (\(rng.pick(platforms))) kubernetes/\(hex(7, &rng))"
    }

    /// Tools people drive the apiserver with besides kubectl.
    static func humanTool(_ rng: inout SplitMix64) -> String {
        switch rng.below(8) {
        case 0: return "Helm/3.\(rng.int(in: 12...16)).\(rng.int(in: 0...4))"
        case 1: return "k9s/v0.\(rng.int(in: 30...32)).\(rng.int(in: 0...7)) (\(rng.pick(platforms))) kubernetes/$Format"
        case 2: return "Lens/2024.\(rng.int(in: 1...12)).\(rng.int(in: 10...300))-latest"
        case 3: return "HashiCorp/1.0 Terraform/1.\(rng.int(in: 5...9)).\(rng.int(in: 0...8))"
        case 4: return "argocd-server/v2.\(rng.int(in: 9...13)).\(rng.int(in: 0...12)) (linux/amd64) kubernetes/$Format"
        case 5: return "Go-http-client/2.0"
        case 6: return "python-requests/2.\(rng.int(in: 28...32)).\(rng.int(in: 0...3))"
        default: return "OpenAPI-Generator/\(rng.int(in: 26...31)).0.0/python"
        }
    }

    /// A kubelet of one of the node groups, mid-upgrade: `kubelet/v1.31.2-eks-7f9249a (linux/amd64) kubernetes/7f9249a`.
    static func kubelet(_ rng: inout SplitMix64) -> String {
        let builds = [("v1.30.6", "7f9249a"), ("v1.31.2", "94ce5da"), ("v1.31.3", "59bf3d2"), ("v1.29.10", "1fd4b8c")]
        let (version, build) = rng.pick(builds)
        return "kubelet/\(version)-eks-\(build) (linux/\(rng.chance(0.3) ? "arm64" : "amd64")) kubernetes/\(build)"
    }

    /// A client-go program: `<name>/v<version> (linux/amd64) kubernetes/$Format`.
    static func clientGo(_ name: String, _ rng: inout SplitMix64) -> String {
        "\(name)/v\(rng.int(in: 0...3)).\(rng.int(in: 0...40)).\(rng.int(in: 0...12)) (linux/\(rng.chance(0.2) ? "arm64" : "amd64")) kubernetes/\(rng.chance(0.5) ? "$Format" : hex(7, &rng))"
    }

    /// A browser of the AWS console.
    static func browser(_ rng: inout SplitMix64) -> String {
        let chrome = "\(rng.int(in: 118...131)).0.\(rng.int(in: 0...6800)).\(rng.int(in: 0...200))"
        switch rng.below(5) {
        case 0:
            return "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/\(rng.int(in: 16...18)).\(rng.int(in: 0...6)) Safari/605.1.15"
        case 1:
            return "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:\(rng.int(in: 115...133)).0) Gecko/20100101 Firefox/\(rng.int(in: 115...133)).0"
        case 2:
            return "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/\(chrome) Safari/537.36 Edg/\(chrome)"
        default:
            return "Mozilla/5.0 (\(rng.chance(0.5) ? "Macintosh; Intel Mac OS X 10_15_7" : "X11; Linux x86_64")) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/\(chrome) Safari/537.36"
        }
    }

    /// `aws-cli/2.17.40 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-1014-aws md/arch#x86_64 lang/python#3.12.4 …`.
    static func awsCLI(_ rng: inout SplitMix64) -> String {
        let os = rng.chance(0.5) ? "os/linux#\(rng.int(in: 5...6)).\(rng.int(in: 1...15)).0-\(rng.int(in: 1000...1090))-aws" :
            "os/macos#\(rng.int(in: 22...24)).\(rng.int(in: 0...6)).0"
        return "aws-cli/2.\(rng.int(in: 13...22)).\(rng.int(in: 0...50)) md/awscrt#0.\(rng.int(in: 19...23)).\(rng.int(in: 0...9)) ua/2.0 \(os) md/arch#\(rng.chance(0.6) ? "x86_64" : "arm64") lang/python#3.\(rng.int(in: 11...12)).\(rng.int(in: 0...9)) md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#\(rng.pick(cliCommands))"
    }

    /// `Boto3/1.35.24 md/Botocore#1.35.24 ua/2.0 os/linux#… lang/python#3.11.9 …`.
    static func boto3(_ rng: inout SplitMix64) -> String {
        let version = "1.\(rng.int(in: 28...35)).\(rng.int(in: 0...99))"
        return "Boto3/\(version) md/Botocore#\(version) ua/2.0 os/linux#\(rng.int(in: 4...6)).\(rng.int(in: 1...15)).\(rng.int(in: 0...200)) md/arch#x86_64 lang/python#3.\(rng.int(in: 9...12)).\(rng.int(in: 0...20)) md/pyimpl#CPython cfg/retry-mode#legacy Botocore/\(version)"
    }

    /// An AWS SDK other than Python's; Terraform (which embeds the Go SDK) only when `terraform`.
    static func sdk(terraform: Bool, _ rng: inout SplitMix64) -> String {
        switch terraform ? 3 : rng.below(3) {
        case 0:
            return "aws-sdk-go-v2/1.\(rng.int(in: 20...32)).\(rng.int(in: 0...9)) ua/2.1 os/linux lang/go#1.\(rng.int(in: 21...23)).\(rng.int(in: 0...9)) md/GOOS#linux md/GOARCH#amd64 api/\(rng.pick(sdkAPIs))#1.\(rng.int(in: 10...190)).\(rng.int(in: 0...9))"
        case 1:
            return "aws-sdk-java/2.\(rng.int(in: 20...29)).\(rng.int(in: 0...40)) Linux/\(rng.int(in: 5...6)).\(rng.int(in: 1...15)) OpenJDK_64-Bit_Server_VM/\(rng.int(in: 17...21)).0.\(rng.int(in: 1...9))+\(rng.int(in: 1...12)) Java/\(rng.int(in: 17...21)).0.\(rng.int(in: 1...9)) vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy"
        case 2:
            return "aws-sdk-js/3.\(rng.int(in: 400...700)).0 ua/2.0 os/linux#\(rng.int(in: 5...6)).\(rng.int(in: 1...15)).0 lang/js md/nodejs#\(rng.int(in: 18...22)).\(rng.int(in: 0...20)).\(rng.int(in: 0...9)) api/\(rng.pick(sdkAPIs))#3.\(rng.int(in: 400...700)).0"
        default:
            return "APN/1.0 HashiCorp/1.0 Terraform/1.\(rng.int(in: 5...9)).\(rng.int(in: 0...8)) (+https://www.terraform.io) terraform-provider-aws/5.\(rng.int(in: 40...80)).0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.\(rng.int(in: 20...32)).\(rng.int(in: 0...9))"
        }
    }

    /// An address of a person: offices (documentation ranges) and carrier-grade NAT for home and mobile.
    static func personIP(_ rng: inout SplitMix64) -> String {
        switch rng.below(4) {
        case 0: return "203.0.113.\(rng.int(in: 1...254))"
        case 1: return "198.51.100.\(rng.int(in: 1...254))"
        default: return "100.\(rng.int(in: 64...127)).\(rng.int(in: 0...255)).\(rng.int(in: 1...254))"
        }
    }

    /// A random UUID.
    static func uuid(_ rng: inout SplitMix64) -> String {
        Alphabet.uuid(&rng)
    }

    /// `count` lower-case hex digits.
    static func hex(_ count: Int, _ rng: inout SplitMix64) -> String {
        Alphabet.string(Alphabet.hex, count, &rng)
    }

    static let platforms = ["linux/amd64", "darwin/arm64", "darwin/amd64", "windows/amd64", "linux/arm64"]
    static let cliCommands = ["s3.cp", "ec2.describe-instances", "sts.get-caller-identity", "eks.update-kubeconfig",
                              "logs.tail", "ssm.start-session", "iam.list-roles", "cloudformation.deploy", "ecr.get-login-password"]
    static let sdkAPIs = ["s3", "ec2", "sts", "iam", "ssm", "eks", "kms", "secretsmanager", "dynamodb", "sqs", "cloudwatch"]
}
