import { runNodeJs } from "@bufbuild/protoplugin";
import { protocGenGrpcGatewayExpress } from "./plugin.js";

runNodeJs(protocGenGrpcGatewayExpress);
